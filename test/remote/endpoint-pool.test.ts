import { EndpointPool } from '../../src/engine/remote/endpoint-pool';

function pool(strategy: 'round-robin' | 'least-in-flight', probe: (url: string) => Promise<boolean> = async () => true, now = { t: 0 }): EndpointPool {
  return new EndpointPool(['http://a', 'http://b/', 'http://c'], { strategy, failureThreshold: 2, downMs: 100, maxDownMs: 400, probe, now: () => now.t });
}

describe('EndpointPool', () => {
  it('round robin spreads over every healthy endpoint', async () => {
    const p = pool('round-robin');
    const picks: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const e = await p.acquire();
      picks.push(e.url);
      p.release(e, 'ok');
    }
    expect(picks).toEqual(['http://a', 'http://b', 'http://c', 'http://a', 'http://b', 'http://c']);
  });

  it('least-in-flight picks the least busy endpoint', async () => {
    const p = pool('least-in-flight');
    const a = await p.acquire();
    const b = await p.acquire();
    const c = await p.acquire();
    expect(new Set([a.url, b.url, c.url]).size).toBe(3);
    p.release(b, 'ok');
    expect((await p.acquire()).url).toBe(b.url);
  });

  it('marks an endpoint down after the threshold, doubles its rest, probes it when due and brings it back', async () => {
    const now = { t: 1000 };
    let healthy = false;
    const probes: string[] = [];
    const p = pool('round-robin', async (url) => {
      probes.push(url);
      return healthy;
    }, now);
    const a = p.endpoints[0]!;
    p.markFailure(a);
    expect(a.downUntil).toBe(0);
    p.markFailure(a);
    expect(a.downUntil).toBe(1100);
    for (let i = 0; i < 4; i += 1) expect((await p.acquire()).url).not.toBe('http://a');
    // all others excluded and a is not due yet: an up one is still used
    expect((await p.acquire(new Set(['http://b', 'http://c']))).url).not.toBe('http://a');
    now.t = 1200;
    await p.probeDown();
    expect(probes).toEqual(['http://a']);
    expect(a.downUntil).toBe(1400); // rested 200 ms the second time
    healthy = true;
    now.t = 1500;
    const e = await p.acquire(new Set(['http://b', 'http://c']));
    expect(e.url).toBe('http://a');
    expect(a.downUntil).toBe(0);
  });

  it('throws engine-unavailable when nothing is usable', async () => {
    const now = { t: 0 };
    const p = pool('round-robin', async () => false, now);
    for (const e of p.endpoints) {
      p.markFailure(e);
      p.markFailure(e);
    }
    await expect(p.acquire()).rejects.toMatchObject({ code: 'engine-unavailable', retryable: true });
  });
});
