import { Injectable, Logger } from '@nestjs/common';
import {
  OnAddClient,
  OnAway,
  OnDelClient,
  OnEvent,
  OnResume,
  Others,
  newResponseMessage,
  type EventMessage,
  type ResponseMessage,
} from 'nestjs-message-broadcaster';

/**
 * Logs joins and leaves on the server, and tells the other clients when a client is away
 * (its connection lost, its session held for it) or back: joins and leaves are announced
 * by the broadcaster itself, these are not.
 */
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

  @OnEvent(OnAway)
  away(ev: EventMessage): ResponseMessage {
    this.logger.log(`client ${ev.clientId} is away`);
    return newResponseMessage(Others, JSON.stringify({ event: 'away', clientId: ev.clientId }));
  }

  @OnEvent(OnResume)
  back(ev: EventMessage): ResponseMessage {
    this.logger.log(`client ${ev.clientId} is back`);
    return newResponseMessage(Others, JSON.stringify({ event: 'back', clientId: ev.clientId }));
  }
}
