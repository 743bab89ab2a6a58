/**
 * A small Security Hub on loopback for what moto 5.2.5 does not do: it has no BatchUpdateFindings, ignores GetFindings
 * filters, never throttles and fails a finding only when it has no resource. This one keeps findings by id as Security
 * Hub does (an import replaces the stored finding; Workflow is kept once set, as BatchImportFindings may not change it),
 * applies the GetFindings filters credcheck sends (EQUALS and PREFIX), pages by 100, and answers from a script first:
 * a throttling error, or FailedFindings for chosen ids. It speaks the REST-JSON wire format the SDK parses
 * (POST /findings/import, POST /findings, PATCH /findings/batchupdate; errors in x-amzn-errortype).
 */
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { Socket } from 'node:net';

export type Finding = Record<string, unknown> & { Id: string };

export interface RecordedRequest {
  action: 'BatchImportFindings' | 'GetFindings' | 'BatchUpdateFindings' | 'Unknown';
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

/** What to answer instead of the normal answer, once per entry, in order, for one action. */
export type ScriptedAnswer =
  | { error: string; status: number; message?: string }
  /** Fail these ids with this code (the rest of the batch is stored). */
  | { failIds: (findings: Finding[]) => string[]; code: string; message?: string };

export class SecurityHubStubServer {
  readonly requests: RecordedRequest[] = [];
  readonly findings = new Map<string, Finding>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly script: Partial<Record<RecordedRequest['action'], ScriptedAnswer[]>>,
  ) {}

  static async start(script: Partial<Record<RecordedRequest['action'], ScriptedAnswer[]>> = {}): Promise<SecurityHubStubServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const stub = new SecurityHubStubServer(server, `http://127.0.0.1:${port}`, script);
    server.on('request', (request, response) => {
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (text += chunk));
      request.on('end', () => {
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        const action = actionOf(request.method ?? '', request.url ?? '');
        stub.requests.push({ action, body, headers: request.headers });
        const [status, answer, errorType] = stub.answer(action, body);
        response.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
        response.end(JSON.stringify(answer));
      });
    });
    server.on('connection', (socket) => {
      stub.sockets.add(socket);
      socket.on('close', () => stub.sockets.delete(socket));
    });
    return stub;
  }

  calls(action: RecordedRequest['action']): RecordedRequest[] {
    return this.requests.filter((request) => request.action === action);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(action: RecordedRequest['action'], body: Record<string, unknown>): [number, unknown, string?] {
    const scripted = this.script[action]?.shift();
    if (scripted && 'error' in scripted) return [scripted.status, { message: scripted.message ?? scripted.error }, scripted.error];
    switch (action) {
      case 'BatchImportFindings': {
        const findings = (body.Findings ?? []) as Finding[];
        const failIds = new Set(scripted && 'failIds' in scripted ? scripted.failIds(findings) : []);
        const failed = [];
        for (const finding of findings) {
          if (failIds.has(finding.Id)) {
            failed.push({ Id: finding.Id, ErrorCode: (scripted as { code: string }).code, ErrorMessage: (scripted as { message?: string }).message ?? 'refused by the stub' });
            continue;
          }
          const before = this.findings.get(finding.Id);
          this.findings.set(finding.Id, { ...finding, ...(before?.Workflow ? { Workflow: before.Workflow } : {}) });
        }
        return [200, { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed }];
      }
      case 'GetFindings': {
        const filters = (body.Filters ?? {}) as Record<string, { Value: string; Comparison: string }[]>;
        const matching = [...this.findings.values()].filter((finding) =>
          Object.entries(filters).every(([field, conditions]) =>
            conditions.every((condition) => {
              const value = String(finding[field]);
              return condition.Comparison === 'PREFIX' ? value.startsWith(condition.Value) : value === condition.Value;
            }),
          ),
        );
        const start = Number(body.NextToken ?? 0);
        const size = Number(body.MaxResults ?? 100);
        const page = matching.slice(start, start + size);
        return [200, { Findings: page, ...(start + size < matching.length ? { NextToken: String(start + size) } : {}) }];
      }
      case 'BatchUpdateFindings': {
        const identifiers = (body.FindingIdentifiers ?? []) as { Id: string; ProductArn: string }[];
        const processed = [];
        const unprocessed = [];
        for (const identifier of identifiers) {
          const finding = this.findings.get(identifier.Id);
          if (!finding) {
            unprocessed.push({ FindingIdentifier: identifier, ErrorCode: 'FindingNotFound', ErrorMessage: 'no such finding' });
            continue;
          }
          if (body.Workflow) finding.Workflow = body.Workflow;
          if (body.Note) finding.Note = body.Note;
          processed.push(identifier);
        }
        return [200, { ProcessedFindings: processed, UnprocessedFindings: unprocessed }];
      }
      default:
        return [404, { message: 'not found' }, 'ResourceNotFoundException'];
    }
  }
}

function actionOf(method: string, path: string): RecordedRequest['action'] {
  const route = path.split('?')[0];
  if (method === 'POST' && route === '/findings/import') return 'BatchImportFindings';
  if (method === 'POST' && route === '/findings') return 'GetFindings';
  if (method === 'PATCH' && route === '/findings/batchupdate') return 'BatchUpdateFindings';
  return 'Unknown';
}
