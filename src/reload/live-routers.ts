// The routers of one `mcp-route run`, across policy reloads. Callers (the proxy, the model
// gateway) hold one Router each for the whole run; behind it, each policy version gets its own
// inner routers, built on first use. A request runs to its end on the version it started
// with; a retired version closes once its last request is done. Every version shares one
// budget store, so counters carry on across reloads (a renamed budget starts fresh: counters
// are kept by budget name).

import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { BudgetGate, BudgetStatus } from '../budgets/types.js';
import type { BudgetStore } from '../budgets/store.js';
import type { Router, RouterOptions, RouteOptions } from '../router/types.js';
import type { HostSampler } from '../providers/types.js';
import type { Approver } from '../approval/approval.js';
import type { Policy } from '../policy/types.js';

/** 'gateway', or one key per proxy session (each session may have its own host sampler). */
type Kind = string;

interface Modules {
  createRouter: (policy: Policy, options?: RouterOptions) => Router;
  createBudgetGate: (policy: Policy, options?: { store?: BudgetStore }) => BudgetGate;
  createBudgetStore: (state: Policy['state']) => BudgetStore;
}

interface Version {
  policy: Policy;
  gate?: BudgetGate | null;
  routers: Map<Kind, Router>;
  inflight: number;
  retired: boolean;
}

export interface LiveRouters {
  /** A proxy session's router (may use that session's host sampling and ask its host for approval). One call per session. */
  forProxy(context: { hostSampler?: HostSampler; approver?: Approver }): Promise<Router>;
  /** The model gateway's router (no host sampling, nobody to ask: approvalFallback answers). */
  forGateway(): Promise<Router>;
  /** The policy requests start on from now; in-flight requests finish on theirs. */
  swap(policy: Policy): void;
  readonly policy: Policy;
  /** The current policy's budgets as `mcp-route budgets` shows them (loads the store if needed). */
  budgetStatus(): Promise<BudgetStatus[]>;
  close(): Promise<void>;
}

export function createLiveRouters(initial: Policy, options: Pick<RouterOptions, 'onOutcome' | 'log'> = {}): LiveRouters {
  const set = new VersionedRouters(initial, options);
  let sessions = 0;
  return {
    async forProxy(context) {
      const kind = `proxy-${sessions++}`;
      if (context.hostSampler) set.hostSamplers.set(kind, context.hostSampler);
      if (context.approver) set.approvers.set(kind, context.approver);
      return set.facade(kind, await set.load());
    },
    async forGateway() {
      return set.facade('gateway', await set.load());
    },
    swap: (policy) => set.swap(policy),
    get policy() {
      return set.current.policy;
    },
    async budgetStatus() {
      const gate = set.gateOf(set.current, await set.load());
      return gate ? gate.status() : [];
    },
    close: () => set.close(),
  };
}

/** The policy versions still in use, each with its routers by kind, and the one store they share. */
class VersionedRouters {
  current: Version;
  readonly hostSamplers = new Map<Kind, HostSampler>();
  readonly approvers = new Map<Kind, Approver>();
  private readonly live: Set<Version>;
  private modules: Promise<Modules> | undefined;
  private store: BudgetStore | undefined;

  constructor(
    initial: Policy,
    private readonly options: Pick<RouterOptions, 'onOutcome' | 'log'>,
  ) {
    this.current = { policy: initial, routers: new Map(), inflight: 0, retired: false };
    this.live = new Set([this.current]);
  }

  /** The router and the stores load on first use: an idle proxy never imports provider SDKs. */
  load(): Promise<Modules> {
    this.modules ??= Promise.all([import('../router/router.js'), import('../budgets/gate.js'), import('../budgets/stores/index.js')]).then(([r, g, s]) => ({
      createRouter: r.createRouter,
      createBudgetGate: g.createBudgetGate,
      createBudgetStore: s.createBudgetStore,
    }));
    return this.modules;
  }

  gateOf(v: Version, m: Modules): BudgetGate | undefined {
    if (v.gate === undefined) {
      if (!v.policy.budgets.length) v.gate = null;
      else {
        // The first version's state config picks the store for the whole run.
        this.store ??= m.createBudgetStore(v.policy.state);
        v.gate = m.createBudgetGate(v.policy, { store: this.store });
      }
    }
    return v.gate ?? undefined;
  }

  private routerOf(v: Version, kind: Kind, m: Modules): Router {
    let router = v.routers.get(kind);
    if (!router) {
      const gate = this.gateOf(v, m);
      const sampler = this.hostSamplers.get(kind);
      const approver = this.approvers.get(kind);
      router = m.createRouter(v.policy, {
        ...this.options,
        ...(sampler ? { hostSampler: sampler } : {}),
        ...(approver ? { approver } : {}),
        ...(gate ? { budgetGate: gate } : {}),
      });
      v.routers.set(kind, router);
    }
    return router;
  }

  private async closeVersion(v: Version): Promise<void> {
    this.live.delete(v);
    await Promise.allSettled([...v.routers.values()].map((r) => r.close()));
    await v.gate?.close();
  }

  /** The Router a caller holds for the whole run: each request runs on the version current when it starts. */
  facade(kind: Kind, m: Modules): Router {
    const versions = this;
    return {
      get policy() {
        return versions.current.policy;
      },
      createMessage: async (params: unknown, route?: RouteOptions): Promise<CreateMessageResult> => {
        const v = this.current;
        v.inflight++;
        try {
          return await this.routerOf(v, kind, m).createMessage(params, route);
        } finally {
          v.inflight--;
          if (v.retired && v.inflight === 0) void this.closeVersion(v);
        }
      },
      explain: (params, explainOptions) => this.routerOf(this.current, kind, m).explain(params, explainOptions),
      // A session that ends lets go of its routers (a long-running `serve` opens many).
      close: async () => {
        this.hostSamplers.delete(kind);
        this.approvers.delete(kind);
        const mine = [...this.live].map((v) => v.routers.get(kind)).filter((r): r is Router => r !== undefined);
        for (const v of this.live) v.routers.delete(kind);
        await Promise.allSettled(mine.map((r) => r.close()));
      },
    };
  }

  swap(policy: Policy): void {
    const old = this.current;
    this.current = { policy, routers: new Map(), inflight: 0, retired: false };
    this.live.add(this.current);
    old.retired = true;
    if (old.inflight === 0) void this.closeVersion(old);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.live].map((v) => this.closeVersion(v)));
    await this.store?.close();
  }
}
