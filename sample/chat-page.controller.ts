import { Controller, Get, Header, NotFoundException, Param } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// The repository's root, found the way a dependant would find the package: through its
// name. The page is read from sample/public, the SDK from its build as it ships.
const packageRoot = dirname(createRequire(join(process.cwd(), 'noop.js')).resolve('nestjs-message-broadcaster/package.json'));
const PAGE_DIR = join(packageRoot, 'sample', 'public');
const CLIENT_DIR = join(packageRoot, 'dist', 'esm', 'client');
// The protocol's vocabulary, which the SDK's modules import from beside them.
const PROTOCOL_DIR = join(packageRoot, 'dist', 'esm', 'protocol');
const MODULE_FILE = /^[\w-]+\.js$/;

/** Serves the chat page at `GET /`, next to the WebSocket endpoint on the same path. */
@Controller()
export class ChatPageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): Promise<string> {
    return readFile(join(PAGE_DIR, 'index.html'), 'utf8');
  }

  @Get('chat.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): Promise<string> {
    return readFile(join(PAGE_DIR, 'chat.js'), 'utf8');
  }

  @Get('chat.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  style(): Promise<string> {
    return readFile(join(PAGE_DIR, 'chat.css'), 'utf8');
  }

  /** The client SDK's ES modules, as `nestjs-message-broadcaster/client` ships them. */
  @Get('client/:file')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  client(@Param('file') file: string): Promise<string> {
    return moduleFile(CLIENT_DIR, file);
  }

  /** The protocol modules the SDK imports (`../protocol/…` from `/client/`). */
  @Get('protocol/:file')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  protocol(@Param('file') file: string): Promise<string> {
    return moduleFile(PROTOCOL_DIR, file);
  }
}

/** One ES module of `dir`, by a plain file name (nothing that climbs out of it). */
async function moduleFile(dir: string, file: string): Promise<string> {
  if (!MODULE_FILE.test(file)) throw new NotFoundException();
  return readFile(join(dir, file), 'utf8').catch(() => {
    throw new NotFoundException();
  });
}
