/** One file part of a multipart request, bytes kept. */
export interface MultipartFile {
  field: string;
  name: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartBody {
  payload: Record<string, unknown>;
  files: MultipartFile[];
}

/**
 * Parses a `multipart/form-data` body the way Discord reads it: `payload_json` (the JSON) and
 * `files[n]` parts. Uses the platform's own parser (undici's Response.formData), not a hand-rolled one.
 */
export async function parseMultipart(body: Buffer, contentType: string): Promise<MultipartBody> {
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  let payload: Record<string, unknown> = {};
  const files: MultipartFile[] = [];
  const entries: [string, FormDataEntryValue][] = [];
  form.forEach((value, field) => entries.push([field, value]));
  for (const [field, value] of entries) {
    if (typeof value === 'string') {
      if (field === 'payload_json') payload = JSON.parse(value) as Record<string, unknown>;
      else payload[field] = value;
      continue;
    }
    files.push({ field, name: value.name, contentType: value.type, data: Buffer.from(await value.arrayBuffer()) });
  }
  return { payload, files };
}
