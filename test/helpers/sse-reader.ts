/** Reads a whole server-sent-events response: the `data:` payloads, in order. */
export async function readSse(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split(/\n\n/)
    .map((event) =>
      event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n'),
    )
    .filter((data) => data !== '');
}
