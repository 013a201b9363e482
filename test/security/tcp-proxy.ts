import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the app and its database that a test can cut and restore: the database
 * "goes away" (every connection dropped, new ones refused) and comes back, with no restart of
 * either side.
 */
export class CuttableProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private state: 'up' | 'refusing' | 'blackhole' = 'up';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** Drops every connection and refuses new ones: the database is gone. */
  cut(): void {
    this.state = 'refusing';
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Connections stay open but nothing gets through, and new ones are never answered: a dead network. */
  blackhole(): void {
    this.state = 'blackhole';
    for (const socket of this.sockets) socket.pause();
  }

  /** The database is back: new connections get through again. */
  restore(): void {
    if (this.state === 'blackhole') {
      // What was stuck in the dead network is lost.
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    }
    this.state = 'up';
  }

  get connections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.state === 'refusing') {
      client.destroy();
      return;
    }
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.state === 'blackhole') {
      client.pause();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('error', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
