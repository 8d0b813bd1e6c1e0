import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A product's page on its own loopback origin (127.0.0.2, another host than Herald's) that
 * frames a portal link and sizes the frame from the portal's `herald:resize` messages. It
 * records every message in `window.resizes` for the test to read.
 */
export class HostPage {
  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(portalUrl: () => string): Promise<HostPage> {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(portalUrl()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    return new HostPage(server, `http://127.0.0.2:${(server.address() as AddressInfo).port}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const page = (portalUrl: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme settings</title></head>
<body style="margin:0;font-family:sans-serif">
<h1>Acme: webhook settings</h1>
<iframe id="portal" title="Webhooks" src="${portalUrl.replace(/"/g, '&quot;')}" style="border:0;width:100%;height:150px"></iframe>
<script>
  window.resizes = [];
  window.addEventListener('message', (event) => {
    const frame = document.getElementById('portal');
    if (event.source !== frame.contentWindow || !event.data || event.data.type !== 'herald:resize') return;
    window.resizes.push(event.data.height);
    frame.style.height = event.data.height + 'px';
  });
</script>
</body></html>`;
