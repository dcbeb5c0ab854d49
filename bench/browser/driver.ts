// The Chromium side of `npm run bench:browser`, in its own process (the bench process serves the
// page; Chromium is never started from the process that serves it). Opens one page per
// candidate on the cross-origin-isolated page, then for each workload prepares every candidate
// (its output checked by the bench process) and times them in interleaved rounds, the order
// rotated each round. Sends the results back and closes Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CandidateResult, Measurement, Plan, ToParent } from './protocol';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // A candidate's tab waits in the background while others run: it must not be throttled.
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'];

const send = (m: ToParent) => process.send!(m);
const short = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

async function run(plan: Plan): Promise<void> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'convkit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const candidates: CandidateResult[] = [];
    const pages = new Map<string, any>();
    for (const id of plan.candidates) {
      send({ type: 'progress', task: `starting ${id}` });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e: Error) => errors.push(e.message));
      try {
        await page.goto(`${plan.url}/page.html?candidate=${id}`);
        await page.waitForFunction('window.bench !== undefined', null, { timeout: 30000 });
        const { info, isolated } = (await page.evaluate('window.bench.init()')) as { info: string; isolated: boolean };
        candidates.push({ id, available: true, info, isolated });
        pages.set(id, page);
      } catch (e) {
        candidates.push({ id, available: false, reason: [short(e), ...errors].join('; ') });
        await page.close();
      }
    }
    const results: Record<string, Record<string, Measurement>> = {};
    for (const w of plan.workloads) {
      const row: Record<string, Measurement> = (results[w] = {});
      for (const [id, page] of pages) {
        send({ type: 'progress', task: `${w}: ${id} warm-up` });
        try {
          await page.bringToFront();
          const r = (await page.evaluate(`window.bench.prepare(${JSON.stringify(w)})`)) as { maxError: number; info: string };
          row[id] = { maxError: r.maxError, times: [] };
          candidates.find((c) => c.id === id)!.info = r.info;
        } catch (e) {
          row[id] = { times: [], error: short(e) };
        }
      }
      const ids = [...pages.keys()].filter((id) => !row[id].error);
      for (let r = 0; r < plan.rounds; r++) {
        for (let i = 0; i < ids.length; i++) {
          const id = ids[(i + r) % ids.length];
          send({ type: 'progress', task: `${w}: ${id} round ${r + 1}/${plan.rounds}` });
          try {
            await pages.get(id).bringToFront();
            row[id].times.push(...(await pages.get(id).evaluate(`window.bench.measure(${plan.budgetMs / plan.rounds}, ${plan.minRuns})`)));
          } catch (e) {
            row[id].error = short(e);
          }
        }
      }
      for (const [, page] of pages) await page.evaluate('window.bench.release()').catch(() => undefined);
    }
    send({ type: 'done', candidates, results });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

process.once('message', (plan: Plan) => {
  run(plan).catch((e) => send({ type: 'failed', reason: short(e) })).finally(() => process.disconnect());
});
