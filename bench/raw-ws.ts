import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A minimal WebSocket client (RFC 6455) for the push bench's subscriber processes: the upgrade
 * handshake, masked text frames out, unmasked frames in (text, ping answered with pong, close),
 * no extensions, no fragmentation on the way in (the server sends every message as one frame).
 * It exists because the bench's 20,000 subscribers share two cores with the server under test:
 * with `ws` each received message cost the clients about as much CPU as the server spent sending
 * it, and whatever the clients take the server does not get. `--client ws` keeps the full library.
 */
export interface RawWebSocketHandlers {
  open(): void;
  /** A text message, still as bytes (the bench looks for two numbers in it). */
  message(data: Buffer): void;
  close(code: number, reason: string): void;
  error(err: Error): void;
}

const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const HEADER_END = Buffer.from('\r\n\r\n');

export class RawWebSocket {
  private readonly socket: Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private upgraded = false;
  private closed = false;

  constructor(
    url: string,
    protocol: string,
    private readonly on: RawWebSocketHandlers,
  ) {
    const u = new URL(url);
    this.socket = connect({ host: u.hostname, port: Number(u.port || 80), noDelay: true });
    this.socket.once('connect', () => {
      this.socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
      );
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.on.error(err));
    this.socket.on('close', () => this.finish(1006, 'connection lost'));
  }

  send(text: string): void {
    this.writeFrame(OP_TEXT, Buffer.from(text));
  }

  terminate(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private finish(code: number, reason: string) {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.on.close(code, reason);
  }

  /** Client frames are masked (RFC 6455 §5.3); a zero mask leaves the payload as it is. */
  private writeFrame(opcode: number, payload: Buffer) {
    const n = payload.length;
    const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(head + 4 + n);
    frame[0] = 0x80 | opcode;
    if (n < 126) frame[1] = 0x80 | n;
    else if (n < 65536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(n, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(n), 2);
    }
    frame.writeUInt32BE(0, head);
    payload.copy(frame, head + 4);
    this.socket.write(frame);
  }

  private onData(chunk: Buffer) {
    let data = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    if (!this.upgraded) {
      const end = data.indexOf(HEADER_END);
      if (end < 0) {
        this.buffered = data;
        return;
      }
      const status = data.toString('latin1', 0, end).split('\r\n')[0] ?? '';
      if (!status.startsWith('HTTP/1.1 101')) {
        this.on.error(new Error(`upgrade refused: ${status}`));
        this.finish(1002, status);
        return;
      }
      this.upgraded = true;
      data = data.subarray(end + HEADER_END.length);
      this.on.open();
    }
    let at = 0;
    while (data.length - at >= 2) {
      const b0 = data[at] as number;
      const b1 = data[at + 1] as number;
      let length = b1 & 0x7f;
      let offset = at + 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        offset = at + 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        offset = at + 10;
      }
      if (data.length - offset < length) break;
      const payload = data.subarray(offset, offset + length);
      at = offset + length;
      const opcode = b0 & 0x0f;
      if (opcode === OP_TEXT) this.on.message(payload);
      else if (opcode === OP_PING) this.writeFrame(OP_PONG, Buffer.from(payload));
      else if (opcode === OP_CLOSE) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.finish(code, payload.toString('utf8', 2));
        return;
      }
    }
    this.buffered = at < data.length ? Buffer.from(data.subarray(at)) : Buffer.alloc(0);
  }
}
