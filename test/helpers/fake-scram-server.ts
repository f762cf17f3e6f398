/**
 * A loopback TCP server that speaks just enough of the PostgreSQL protocol to ask for a SCRAM
 * password: it answers the startup message with AuthenticationSASL (SCRAM-SHA-256) and the
 * client's first SASL message with AuthenticationSASLContinue, then waits, as a real server does
 * until the client sends its proof. It counts open connections so a test can see that the client
 * closed its socket instead of leaving it open.
 */
import { createServer, type Socket } from 'node:net';

export interface FakeScramServer {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections the client has not closed yet. */
  readonly open: number;
  /** Resolves once no connection is open (at once when none is). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function message(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(4 + payload.length, 1);
  return Buffer.concat([head, payload]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

export async function startFakeScramServer(): Promise<FakeScramServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let waiters: (() => void)[] = [];
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    let messages = 0;
    socket.on('data', () => {
      messages++;
      if (messages === 1) {
        socket.write(message('R', Buffer.concat([int32(10), Buffer.from('SCRAM-SHA-256\0\0', 'latin1')])));
      } else if (messages === 2) {
        socket.write(message('R', Buffer.concat([int32(11), Buffer.from('r=fake,s=c2FsdA==,i=4096')])));
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) {
        for (const w of waiters) w();
        waiters = [];
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    idle: () => (sockets.size === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
