// The memory soak's short form (`npm run soak` is the long one): on each backend, 8000 forwards,
// 800 forwardAsync calls and a churn round (layers created and dropped, setWeights, gemm and
// gemmAsync) every 10 calls must not grow RSS by 10 MB after the warm-up. Leaking the packed
// weights of the Dense layer each churn round creates (50 KB) would add about 26 MB after the
// warm-up (keeping those layers alive measured +25 to +37 MB; the usual growth is -1 to +3 MB).
import { expect } from 'chai';
import * as ck from '../lib/index';
import { forEachBackend } from './helpers/backends';
import { formatResult, RSS_GROWTH_BOUND, soak } from '../scripts/soak-run';

forEachBackend('memory', () => {
  it(`grows RSS by less than ${RSS_GROWTH_BOUND / 1e6} MB after warm-up over 8000 forwards, 800 forwardAsync and churn`, async () => {
    // 10 steps, sampled after each. The first 4 (40 %) are the warm-up: in the test process, after
    // other specs, the allocators' footprint still rose by 4-6 MB over the first 4000 calls and
    // then stayed flat. The end is compared to the warm-up sample.
    const r = await soak({ backend: ck.getBackend(), forwards: 8000, asyncCalls: 800, steps: 10, warmupSteps: 4, churnEvery: 10 });
    const growth = `${r.growth.rss >= 0 ? '+' : ''}${(r.growth.rss / 1e6).toFixed(1)} MB`;
    console.log(`      ${r.backend}: RSS ${growth} after warm-up, ${r.churnRounds} churn rounds, ${(r.elapsedMs / 1000).toFixed(1)} s`);
    expect(r.growth.rss, `RSS growth after warm-up on ${r.backend} (${r.isa}):\n${formatResult(r)}\n`).to.be.lessThan(RSS_GROWTH_BOUND);
  });
});
