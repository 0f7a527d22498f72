import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { All, Broadcaster, newResponseMessage } from 'nestjs-message-broadcaster';

/** HTTP endpoints that reach the WebSocket clients through the injected Broadcaster. */
@Controller()
export class AnnouncementsController {
  constructor(private readonly broadcaster: Broadcaster) {}

  /** `POST /announce {"text": "…"}` casts the text to every client (SenderID ""). */
  @Post('announce')
  @HttpCode(202)
  async announce(@Body() body: { text?: string }): Promise<{ clients: number }> {
    await this.broadcaster.cast(newResponseMessage(All, body.text ?? ''));
    return { clients: this.broadcaster.clientIds().length };
  }

  /** `GET /clients` lists the connected client IDs. */
  @Get('clients')
  clients(): string[] {
    return this.broadcaster.clientIds();
  }
}
