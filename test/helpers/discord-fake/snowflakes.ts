const DISCORD_EPOCH = 1_420_070_400_000n;

/** Discord-shaped ids (timestamp << 22 | counter), increasing, one generator per fake. */
export class Snowflakes {
  private counter = 0n;

  next(): string {
    this.counter = (this.counter + 1n) & 0x3fffffn;
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | this.counter).toString();
  }
}
