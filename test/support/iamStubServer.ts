/**
 * A tiny IAM Query API server on loopback that answers from a script, for the failure modes a real endpoint (or moto)
 * will not produce on demand: in progress, LimitExceeded, throttling, AccessDenied, dropped and hung connections.
 * It speaks the wire format the SDK parses (form-encoded Action=..., XML answers, the IAM error envelope).
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

export interface StubRequest {
  action: string;
  params: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The access key id from the SigV4 Authorization header, when signed. */
  accessKeyId: string | null;
}

export interface StubMfaDevice {
  serialNumber: string;
  userName?: string;
  arn?: string;
}

export type StubAnswer =
  | { state: 'STARTED' | 'INPROGRESS' | 'COMPLETE' }
  | { report: string; generatedTime: string; format?: string }
  | { mfaDevices: StubMfaDevice[]; nextMarker?: string }
  | { error: string; message?: string; status?: number; type?: 'Sender' | 'Receiver'; echoRequest?: boolean }
  | { delayMs: number; then: StubAnswer }
  | 'drop'
  | 'hang'
  | ((request: StubRequest) => StubAnswer);

/** Per action, the answers in order; the last one repeats. Unscripted actions get a healthy default. */
export type StubScript = Partial<Record<'GenerateCredentialReport' | 'GetCredentialReport' | 'ListVirtualMFADevices', StubAnswer[]>>;

export const STUB_ACCOUNT = '210987654321';
export const STUB_GENERATED_TIME = '2026-11-21T10:00:00Z';
export const STUB_REPORT = [
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated',
  `<root_account>,arn:aws:iam::${STUB_ACCOUNT}:root,2020-01-01T00:00:00Z,not_supported,2026-11-01T00:00:00Z,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  `stub-user,arn:aws:iam::${STUB_ACCOUNT}:user/stub-user,2021-01-01T00:00:00Z,true,2026-11-20T00:00:00Z,2021-01-01T00:00:00Z,N/A,false,true,2021-01-01T00:00:00Z,2026-11-20T00:00:00Z,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  '',
].join('\n');

const DEFAULTS: Record<string, StubAnswer> = {
  GenerateCredentialReport: { state: 'COMPLETE' },
  GetCredentialReport: { report: STUB_REPORT, generatedTime: STUB_GENERATED_TIME },
  ListVirtualMFADevices: { mfaDevices: [] },
};

const HTTP_STATUS: Record<string, number> = {
  ReportInProgress: 404,
  ReportNotPresent: 410,
  ReportExpired: 410,
  LimitExceeded: 409,
  Throttling: 400,
  AccessDenied: 403,
  ExpiredToken: 403,
  InvalidClientTokenId: 403,
  ServiceFailure: 500,
};

export class IamStubServer {
  readonly requests: StubRequest[] = [];
  /** The most requests that were being answered at the same moment. */
  maxConcurrent = 0;
  private concurrent = 0;
  private readonly sockets = new Set<Socket>();
  private readonly positions = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    private readonly script: StubScript,
    readonly url: string,
  ) {}

  static async start(script: StubScript = {}): Promise<IamStubServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const stub = new IamStubServer(server, script, `http://127.0.0.1:${port}`);
    server.on('request', (request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => stub.answer(body, request.headers, response));
    });
    server.on('connection', (socket) => {
      stub.sockets.add(socket);
      socket.on('close', () => stub.sockets.delete(socket));
    });
    return stub;
  }

  calls(action: string): number {
    return this.requests.filter((request) => request.action === action).length;
  }

  /** Closes the listener and every connection, hung ones included. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get listening(): boolean {
    return this.server.listening;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  private answer(body: string, headers: IncomingHttpHeaders, response: ServerResponse): void {
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    const credential = /Credential=([^/]+)\//.exec(String(headers.authorization ?? ''));
    const request: StubRequest = { action, params, headers, accessKeyId: credential ? credential[1] : null };
    this.requests.push(request);
    const answers = this.script[action as keyof StubScript];
    let answer: StubAnswer | undefined;
    if (answers && answers.length > 0) {
      const position = this.positions.get(action) ?? 0;
      this.positions.set(action, position + 1);
      answer = answers[Math.min(position, answers.length - 1)];
    } else {
      answer = DEFAULTS[action];
    }
    if (!answer) {
      this.send(response, 400, errorXml('Sender', 'InvalidAction', `The stub does not know the action '${action}'`));
      return;
    }
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    response.once('close', () => this.concurrent--);
    this.play(answer, request, response);
  }

  private play(answer: StubAnswer, request: StubRequest, response: ServerResponse): void {
    if (typeof answer === 'function') {
      this.play(answer(request), request, response);
    } else if (answer === 'drop') {
      response.socket?.destroy();
    } else if (answer === 'hang') {
      // Never answer: only the client's timeout (or stop()) ends this request.
    } else if ('delayMs' in answer) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.play(answer.then, request, response);
      }, answer.delayMs);
      this.timers.add(timer);
    } else if ('error' in answer) {
      const echoed = answer.echoRequest
        ? ` (request: authorization=${String(request.headers.authorization)} token=${String(request.headers['x-amz-security-token'])})`
        : '';
      const status = answer.status ?? HTTP_STATUS[answer.error] ?? 400;
      this.send(response, status, errorXml(answer.type ?? (status >= 500 ? 'Receiver' : 'Sender'), answer.error, `${answer.message ?? answer.error}${echoed}`));
    } else if ('state' in answer) {
      this.send(
        response,
        200,
        resultXml(request.action, `<State>${answer.state}</State><Description>stub</Description>`),
      );
    } else if ('report' in answer) {
      const content = Buffer.from(answer.report, 'utf8').toString('base64');
      this.send(
        response,
        200,
        resultXml(request.action, `<Content>${content}</Content><ReportFormat>${answer.format ?? 'text/csv'}</ReportFormat><GeneratedTime>${answer.generatedTime}</GeneratedTime>`),
      );
    } else {
      const members = answer.mfaDevices
        .map((device) => {
          const user =
            device.userName || device.arn
              ? `<User>${device.userName ? `<UserName>${escapeXml(device.userName)}</UserName>` : ''}<Arn>${escapeXml(device.arn ?? `arn:aws:iam::${STUB_ACCOUNT}:user/${device.userName}`)}</Arn><UserId>AIDASTUB</UserId><Path>/</Path><CreateDate>2021-01-01T00:00:00Z</CreateDate></User>`
              : '';
          return `<member><SerialNumber>${escapeXml(device.serialNumber)}</SerialNumber>${user}</member>`;
        })
        .join('');
      const paging = answer.nextMarker ? `<IsTruncated>true</IsTruncated><Marker>${escapeXml(answer.nextMarker)}</Marker>` : '<IsTruncated>false</IsTruncated>';
      this.send(response, 200, resultXml(request.action, `<VirtualMFADevices>${members}</VirtualMFADevices>${paging}`));
    }
  }

  private send(response: ServerResponse, status: number, xml: string): void {
    response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    response.end(xml);
  }
}

function resultXml(action: string, inner: string): string {
  return (
    `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><${action}Result>${inner}</${action}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function errorXml(type: string, code: string, message: string): string {
  return (
    `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
