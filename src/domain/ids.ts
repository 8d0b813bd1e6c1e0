import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * ULID-shaped ids (48-bit time + 80 bits of randomness, Crockford base32) that sort in
 * creation order even within one millisecond: inside a millisecond the random part is
 * incremented instead of redrawn, as the ULID spec's monotonic mode does.
 */
export class IdGenerator {
  #lastTime = -1;
  #lastRandom = new Uint8Array(10);

  constructor(private readonly now: () => number = Date.now) {}

  next(prefix: string): string {
    let time = this.now();
    if (time <= this.#lastTime) {
      time = this.#lastTime;
      incrementBytes(this.#lastRandom);
    } else {
      this.#lastTime = time;
      this.#lastRandom = new Uint8Array(randomBytes(10));
      this.#lastRandom[0]! &= 0x7f; // headroom so increments within a millisecond never wrap
    }
    return `${prefix}_${encodeTime(time)}${encodeRandom(this.#lastRandom)}`;
  }
}

function incrementBytes(bytes: Uint8Array): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 255) {
      bytes[i]!++;
      return;
    }
    bytes[i] = 0;
  }
}

function encodeTime(time: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[time % 32]! + out;
    time = Math.floor(time / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < 16; i++) {
    out = CROCKFORD[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
}

/** One generator per process: ids from it are strictly increasing. */
export const ids = new IdGenerator();
