// The part of `ws` (bundled; it ships no types) that the port-forward and its tests use.
declare module 'ws' {
  import type {ClientRequest, IncomingMessage} from 'node:http'
  import type {RequestOptions} from 'node:https'
  import type {AddressInfo} from 'node:net'

  export interface ClientOptions extends RequestOptions {
    perMessageDeflate?: boolean
    followRedirects?: boolean
    handshakeTimeout?: number
    maxPayload?: number
    skipUTF8Validation?: boolean
  }

  export class WebSocket {
    constructor(address: string | URL, protocols?: string | string[], options?: ClientOptions)
    static readonly CONNECTING: 0
    static readonly OPEN: 1
    readonly protocol: string
    readonly readyState: 0 | 1 | 2 | 3
    readonly bufferedAmount: number
    send(data: Buffer, callback?: (error?: Error) => void): void
    close(code?: number, reason?: string): void
    terminate(): void
    pause(): void
    resume(): void
    on(event: 'open', listener: () => void): this
    on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this
    on(event: 'close', listener: (code: number, reason: Buffer) => void): this
    on(event: 'error', listener: (error: Error) => void): this
    on(event: 'unexpected-response', listener: (request: ClientRequest, response: IncomingMessage) => void): this
  }

  export class WebSocketServer {
    constructor(options: {
      port?: number
      host?: string
      handleProtocols?: (protocols: Set<string>, request: IncomingMessage) => string | false
    })
    address(): AddressInfo
    close(callback?: () => void): void
    on(event: 'connection', listener: (socket: WebSocket, request: IncomingMessage) => void): this
    on(event: 'listening', listener: () => void): this
  }

  export default WebSocket
}
