// Type declarations for realtime.js, served as /realtime/client.js (global `Realtime`)
// and /realtime/client.mjs (default export and named `connect`).

export type TransportName = 'websocket' | 'sse' | 'long-poll' | 'poll';
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The message envelope, identical on every transport. */
export interface Message<T = unknown> {
  topic: string;
  /** Opaque, unique and increasing within its topic. */
  id: string;
  data: T;
  /** Broker accept time, epoch milliseconds. */
  ts: number;
}

export interface ReconnectOptions {
  /** Delay before the first retry, ms. Default 500. */
  initialDelay?: number;
  /** Upper bound of any delay, ms. Default 30000. */
  maxDelay?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Share (0..1) of the delay that is randomly taken off. Default 0.5. */
  jitter?: number;
}

export interface ConnectOptions {
  /** Tried in order; one entry forces that transport. Default all four, in this order. */
  transports?: TransportName[];
  /** Regular polling interval, ms. Default 1000. */
  pollInterval?: number;
  /** Time for a transport to open before the next one is tried, ms. Default 10000. */
  connectTimeout?: number;
  reconnect?: ReconnectOptions;
  /** Message ids remembered per topic to drop duplicates. Default 1000. */
  dedupeWindow?: number;
  /** Implementations to use instead of the globals (tests, non-browser runtimes). */
  WebSocket?: new (url: string) => WebSocket;
  EventSource?: new (url: string) => EventSource;
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Resolves a relative base URL for the WebSocket. Default `globalThis.location`. */
  location?: { href: string };
  /** Where Spring Security's CSRF token is read for HTTP publishes (`<meta name="_csrf">`,
   *  `<meta name="_csrf_header">`, cookie `XSRF-TOKEN`). Default `globalThis.document`. */
  document?: { cookie: string; querySelector(selector: string): { getAttribute(name: string): string | null } | null };
  /** Random source for the back-off jitter, returns [0, 1). Default Math.random. */
  random?: () => number;
  /** Share one connection with the other tabs of this origin that connect to the same base with
   *  the same transports (one tab holds it, the others are fed over a BroadcastChannel). A
   *  string shares only with tabs passing the same string. `false`: a connection of its own.
   *  Without Web Locks or BroadcastChannel every tab has its own. Default true. */
  share?: boolean | string;
  /** Replacements for `navigator.locks` and `BroadcastChannel` (tests). */
  locks?: { request(name: string, callback: (lock: unknown) => unknown): Promise<unknown> };
  BroadcastChannel?: new (name: string) => BroadcastChannel;
}

/** Errors from publish() and 'error' events. */
export interface RealtimeError extends Error {
  /** WebSocket error code (bad_request, forbidden, too_large, rate_limited, internal), or one
   *  derived from the HTTP status, or a client code (closed, timeout, network). */
  code?: string;
  /** HTTP status, for errors from HTTP endpoints. */
  status?: number;
  /** RFC 9457 `detail` of an HTTP problem response. */
  detail?: string;
  /** For `rate_limited` (HTTP 429) and a 503 that says so: milliseconds to wait before trying
   *  again, from the error frame's or problem's `retryAfter`, else the `Retry-After` header. */
  retryAfter?: number;
  /** The whole problem body of an HTTP error. */
  problem?: Record<string, unknown>;
  /** The publish `ref` the server's error frame answered. */
  ref?: string;
  /** The topic of the refused frame: a refused subscribe (e.g. `forbidden`) names its topic. */
  topic?: string;
  /** WebSocket close code when the connection was closed. */
  closeCode?: number;
  /** Transport the error happened on. */
  transport?: TransportName;
}

export interface SubscribeOptions {
  /** The topic's newest messages to receive first, then live ones (at most the server's
   *  `realtime.history.max-rewind`; fewer when history holds fewer). Only when the topic's first
   *  handler subscribes, and never on a resume. Over HTTP one request carries the largest
   *  rewind of the topics it starts. Default 0. */
  rewind?: number;
  /** Ask for news of other members joining and leaving the topic (`sub.on('join' | 'leave')`),
   *  on topics the server lists in `realtime.presence.topics`. Default false. */
  presence?: boolean;
  /** Small client info (a JSON object, at most the server's `realtime.presence.max-info-size`)
   *  that others see with this member. Over HTTP one request carries the first topic's info. */
  info?: Record<string, unknown>;
}

/** One subscriber present on a topic: a connection, or a polling client. */
export interface Member<I = Record<string, unknown>> {
  /** Unique on the topic. */
  id: string;
  /** The signed-in user's name; absent when anonymous. */
  user?: string;
  /** The member's own info, when it sent one. */
  info?: I;
}

/** A member's arrival or departure. */
export interface PresenceChange<I = Record<string, unknown>> {
  type: 'join' | 'leave';
  topic: string;
  member: Member<I>;
}

export interface Subscription {
  readonly topic: string;
  /** The topic's members (over the WebSocket when open, else `GET {base}/presence`); rejects
   *  with a RealtimeError (`forbidden`, `bad_request` when presence is off on the topic). */
  presence<I = Record<string, unknown>>(): Promise<Member<I>[]>;
  /** Another member joined or left (needs `presence: true`); never one's own. Returns `off`. */
  on<I = Record<string, unknown>>(event: 'join' | 'leave',
    fn: (member: Member<I>, change: PresenceChange<I>) => void): () => void;
  /** Idempotent. The last subscription of a topic unsubscribes it on the server. */
  unsubscribe(): void;
}

/** Options of `upload` (tus 1.0 against `{base}/uploads`; the server needs `realtime.upload.enabled`). */
export interface UploadOptions {
  /** Called with the bytes the server has (or that are on their way) and the total. */
  onProgress?: (sent: number, total: number) => void;
  /** Called once the upload's URL is known (created, or found again after a reload). */
  onStart?: (upload: UploadInfo & { offset: number }) => void;
  /** Sent as `Upload-Metadata`; `filename` and `filetype` default to the File's name and type. */
  metadata?: Record<string, string>;
  /** Aborting pauses: the upload stays on the server and a later `upload` of the same file
   *  resumes it, unless `terminate` is set. The promise rejects with `name: 'AbortError'`. */
  signal?: AbortSignal;
  /** Delete the upload on the server when aborted (asked at the abort when a function), so
   *  Pause and Cancel can share one signal. Default false. */
  terminate?: boolean | (() => boolean);
  /** Bytes per PATCH; default the whole rest of the file in one request. */
  chunkSize?: number;
  /** Milliseconds before each retry of a failed request; progress starts them over.
   *  Default [0, 1000, 3000, 5000, 10000, 20000]. */
  retryDelays?: number[];
  /** The key the upload URL is remembered under in `storage`; default from name, type, size
   *  and lastModified. */
  fingerprint?: string;
  /** Where upload URLs are remembered across page loads; default localStorage, null for nowhere. */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  XMLHttpRequest?: typeof XMLHttpRequest;
}

export interface UploadInfo {
  /** The upload's id: the last segment of its URL. */
  id: string;
  /** The upload's URL (tus upload URL). */
  url: string;
  /** `uploads/<id>`: the server publishes `{id, offset, length, complete}` on it while bytes
   *  arrive, and a last message with `complete: true`. */
  topic: string;
}

export interface Connection {
  /** The transport in use, or null while not open. */
  readonly transport: TransportName | null;
  readonly state: ConnectionState;
  subscribe<T = unknown>(topic: string, handler: (data: T, message: Message<T>) => void,
    options?: SubscribeOptions): Subscription;
  /** Resolves with the message id; rejects with a RealtimeError. */
  publish(topic: string, data: unknown): Promise<string>;
  /** Uploads a file resumably (tus 1.0): resumes after a dropped connection and, remembered per
   *  file in localStorage, after a page reload. Resolves once the server has every byte; rejects
   *  with a RealtimeError (`status` 4xx other than 408/409/423/429 is not retried). */
  upload(file: Blob, options?: UploadOptions): Promise<UploadInfo>;
  on(event: 'state', fn: (state: ConnectionState, previous: ConnectionState) => void): () => void;
  on(event: 'message', fn: (message: Message) => void): () => void;
  /** The server could not resume these topics without a gap. */
  on(event: 'reset', fn: (info: { topics: string[] }) => void): () => void;
  on(event: 'error', fn: (error: RealtimeError) => void): () => void;
  close(): void;
}

export interface RealtimeStatic {
  connect(base?: string, options?: ConnectOptions): Connection;
  readonly TRANSPORTS: TransportName[];
  /**
   * The private topic `user/<name>/<topic>` that the server's
   * `RealtimePublisher.publishToUser(name, topic, payload)` publishes on; only that signed-in
   * user may subscribe to it under the default policy.
   */
  userTopic(user: string, topic: string): string;
  /** Not a stable API: exposed for tests. */
  readonly _internal: {
    backoffDelay(attempt: number, opts?: ReconnectOptions, random?: () => number): number;
    validTopic(topic: unknown): boolean;
    wsUrlFor(base: string, location?: { href: string }): string;
    [name: string]: unknown;
  };
}

declare const Realtime: RealtimeStatic;
export default Realtime;
export declare function connect(base?: string, options?: ConnectOptions): Connection;

declare global {
  // eslint-disable-next-line no-var
  var Realtime: RealtimeStatic;
}
