/**
 * The `Buffer` global in the web build (esbuild `inject`s it where the core names `Buffer`): the few calls the core
 * makes on the paths the extension uses (UTF-8 sizes and slices, Latin-1 and Base64 text of report bytes).
 */
type Encoding = 'utf8' | 'utf-8' | 'latin1' | 'binary' | 'base64' | 'hex';

// @ts-expect-error -- Node's Buffer.from takes an encoding where Uint8Array.from takes a map function, as here.
export class Buffer extends Uint8Array {
  static from(value: string | ArrayBufferLike | Uint8Array | number[], encodingOrOffset?: Encoding | number, length?: number): Buffer {
    if (typeof value === 'string') return Buffer.fromBytes(encode(value, (encodingOrOffset as Encoding | undefined) ?? 'utf8'));
    if (Array.isArray(value) || ArrayBuffer.isView(value)) return Buffer.fromBytes(Uint8Array.from(value as ArrayLike<number>));
    return new Buffer(value as ArrayBuffer, (encodingOrOffset as number | undefined) ?? 0, length ?? (value as ArrayBuffer).byteLength - ((encodingOrOffset as number | undefined) ?? 0));
  }

  static alloc(size: number): Buffer {
    return new Buffer(size);
  }

  static allocUnsafe(size: number): Buffer {
    return new Buffer(size);
  }

  static byteLength(text: string | Uint8Array): number {
    return typeof text === 'string' ? new TextEncoder().encode(text).byteLength : text.byteLength;
  }

  static isBuffer(value: unknown): value is Buffer {
    return value instanceof Buffer;
  }

  static concat(parts: Uint8Array[]): Buffer {
    const out = new Buffer(parts.reduce((sum, part) => sum + part.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.byteLength;
    }
    return out;
  }

  private static fromBytes(bytes: Uint8Array): Buffer {
    return new Buffer(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
  }

  override subarray(start?: number, end?: number): Buffer {
    const part = super.subarray(start, end);
    return new Buffer(part.buffer as ArrayBuffer, part.byteOffset, part.byteLength);
  }

  override toString(encoding: Encoding = 'utf8'): string {
    switch (encoding) {
      case 'latin1':
      case 'binary': {
        let text = '';
        for (let offset = 0; offset < this.length; offset += 0x8000) text += String.fromCharCode(...this.subarray(offset, offset + 0x8000));
        return text;
      }
      case 'base64':
        return btoa(this.toString('latin1'));
      case 'hex':
        return [...this].map((byte) => byte.toString(16).padStart(2, '0')).join('');
      default:
        return new TextDecoder().decode(this);
    }
  }
}

function encode(text: string, encoding: Encoding): Uint8Array {
  switch (encoding) {
    case 'latin1':
    case 'binary':
      return Uint8Array.from(text, (char) => char.charCodeAt(0) & 0xff);
    case 'base64': {
      const binary = atob(text.replace(/[^A-Za-z0-9+/]/g, '').replace(/-/g, '+').replace(/_/g, '/'));
      return Uint8Array.from(binary, (char) => char.charCodeAt(0));
    }
    case 'hex':
      return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
    default:
      return new TextEncoder().encode(text);
  }
}
