// Compiled by tsc against the dtos.ts that `typescript-ref` saved from the
// running server (tests/typescript_ref_test.sh), then run: the generated
// DTOs drive @servicestack/client's JsonServiceClient — a typed listing, a
// typed ResponseStatus for a bad startDate, sendAll with one result per
// request — the way a ServiceStack client team uses them.
// Usage: node typescript_client.js BASE_URL READ_TOKEN
import { JsonServiceClient } from '@servicestack/client';
import { AppGetActiveSessions, AppGetActiveSessionsResult, SessionCallState, SessionInfo } from './dtos';

// The one Node API used (no @types/node needed for it).
declare const process: { argv: string[]; exit(code: number): never };

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error('typescript_client: ' + what);
}

async function main(): Promise<void> {
  const [base, token] = process.argv.slice(2);
  const client = new JsonServiceClient(base);
  client.bearerToken = token;

  const all: AppGetActiveSessionsResult = await client.get(new AppGetActiveSessions());
  const sessions: SessionInfo[] = all.sessions ?? [];
  check(sessions.length > 0, 'no sessions listed');
  check(sessions.every((s) => typeof s.id === 'string' && s.id.length > 0), 'a session without id');
  const states = new Set<string>(Object.values(SessionCallState));
  check(sessions.every((s) => states.has(s.callState as string)), 'a call state outside the enum');

  let typed = false;
  try {
    await client.get(new AppGetActiveSessions({ startDate: 'nope' }));
  } catch (e: any) {
    typed = e.responseStatus?.errorCode === 'InvalidArgument' &&
        e.responseStatus?.errors?.[0]?.fieldName === 'StartDate';
  }
  check(typed, 'no typed ResponseStatus for a bad startDate');

  const customer = sessions.find((s) => s.customerId)?.customerId as string;
  const results = await client.sendAll([new AppGetActiveSessions({ customerId: customer }),
    new AppGetActiveSessions()]);
  check(results.length === 2, 'sendAll did not answer one result per request');
  check((results[1].sessions ?? []).length === sessions.length, 'sendAll answered another listing');
  const ofCustomer = results[0].sessions ?? [];
  check(ofCustomer.length > 0 && ofCustomer.length < sessions.length &&
      ofCustomer.every((s) => s.customerId === customer ||
          (s.customerBreadcrumb ?? []).some((c) => c.id === customer)),
      'the customer filter did not apply inside the batch');
  console.log(`typescript_client: ok (${sessions.length} sessions)`);
}

main().catch((e) => { console.error(e); process.exit(1); });
