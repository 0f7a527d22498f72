import { Injectable, Logger } from '@nestjs/common';
import { OnAddClient, OnDelClient, OnEvent, type EventMessage } from 'nestjs-message-broadcaster';

/** Logs joins and leaves on the server; it sends clients nothing. */
@Injectable()
export class PresenceLogger {
  private readonly logger = new Logger('Presence');

  @OnEvent(OnAddClient)
  joined(ev: EventMessage): void {
    this.logger.log(`client ${ev.clientId} joined`);
  }

  @OnEvent(OnDelClient)
  left(ev: EventMessage): void {
    this.logger.log(`client ${ev.clientId} left`);
  }
}
