import { randomFillSync } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * ULID-shaped ids (48-bit time + 80 bits of randomness, Crockford base32) that sort in
 * creation order even within one millisecond: inside a millisecond the random part is
 * incremented instead of redrawn, as the ULID spec's monotonic mode does.
 */
export class IdGenerator {
  #lastTime = -1;
  #lastRandom: Uint8Array = new Uint8Array(10);

  constructor(private readonly now: () => number = Date.now) {}

  next(prefix: string): string {
    let time = this.now();
    if (time <= this.#lastTime) {
      time = this.#lastTime;
      incrementBytes(this.#lastRandom);
    } else {
      this.#lastTime = time;
      this.#lastRandom = randomPart();
      this.#lastRandom[0]! &= 0x7f; // headroom so increments within a millisecond never wrap
    }
    return `${prefix}_${encodeTime(time)}${encodeRandom(this.#lastRandom)}`;
  }
}

/**
 * Random bytes are drawn 4 KiB at a time and handed out 10 at a time: a call into the CSPRNG
 * per id cost more than the rest of making the id.
 */
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

function randomPart(): Uint8Array {
  if (poolOffset + 10 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += 10;
  return pool.slice(poolOffset - 10, poolOffset);
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
  return base32(time, 10);
}

/** 80 bits as 16 characters: two 40-bit halves, each exact in a double (no BigInt: it cost 10 µs an id). */
function encodeRandom(bytes: Uint8Array): string {
  return base32(fortyBits(bytes, 0), 8) + base32(fortyBits(bytes, 5), 8);
}

const fortyBits = (bytes: Uint8Array, at: number): number =>
  bytes[at]! * 2 ** 32 + bytes[at + 1]! * 2 ** 24 + bytes[at + 2]! * 2 ** 16 + bytes[at + 3]! * 2 ** 8 + bytes[at + 4]!;

/** The low `length` × 5 bits of `value`, most significant first. */
function base32(value: number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[value % 32]! + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/** One generator per process: ids from it are strictly increasing. */
export const ids = new IdGenerator();
