// The routers of one `mcp-route run`, across policy reloads. Callers (the proxy, the model
// gateway) hold one Router each for the whole run; behind it, each policy version gets its own
// inner routers, built on first use. A request runs to its end on the version it started
// with; a retired version closes once its last request is done. Every version shares one
// budget store, so counters carry on across reloads (a renamed budget starts fresh: counters
// are kept by budget name).

import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { BudgetGate, BudgetStatus } from '../budgets/types.js';
import type { BudgetStore } from '../budgets/store.js';
import type { Router, RouterOptions, RouteOptions, SamplingOutcome } from '../router/types.js';
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
  let current: Version = { policy: initial, routers: new Map(), inflight: 0, retired: false };
  let sessions = 0;
  let modules: Promise<Modules> | undefined;
  let loaded: Modules | undefined;
  let store: BudgetStore | undefined;
  const hostSamplers = new Map<Kind, HostSampler>();
  const approvers = new Map<Kind, Approver>();
  const live = new Set<Version>([current]);

  // The router and the stores load on first use: an idle proxy never imports provider SDKs.
  const load = () =>
    (modules ??= Promise.all([import('../router/router.js'), import('../budgets/gate.js'), import('../budgets/stores/index.js')]).then(([r, g, s]) => {
      loaded = { createRouter: r.createRouter, createBudgetGate: g.createBudgetGate, createBudgetStore: s.createBudgetStore };
      return loaded;
    }));

  const gateOf = (v: Version, m: Modules): BudgetGate | undefined => {
    if (v.gate === undefined) {
      if (!v.policy.budgets.length) v.gate = null;
      else {
        // The first version's state config picks the store for the whole run.
        store ??= m.createBudgetStore(v.policy.state);
        v.gate = m.createBudgetGate(v.policy, { store });
      }
    }
    return v.gate ?? undefined;
  };

  const routerOf = (v: Version, kind: Kind, m: Modules): Router => {
    let router = v.routers.get(kind);
    if (!router) {
      const gate = gateOf(v, m);
      const sampler = hostSamplers.get(kind);
      const approver = approvers.get(kind);
      router = m.createRouter(v.policy, {
        ...options,
        ...(sampler ? { hostSampler: sampler } : {}),
        ...(approver ? { approver } : {}),
        ...(gate ? { budgetGate: gate } : {}),
      });
      v.routers.set(kind, router);
    }
    return router;
  };

  const closeVersion = async (v: Version): Promise<void> => {
    live.delete(v);
    await Promise.allSettled([...v.routers.values()].map((r) => r.close()));
    await v.gate?.close();
  };

  const facade = (kind: Kind, m: Modules): Router => ({
    get policy() {
      return current.policy;
    },
    async createMessage(params: unknown, route?: RouteOptions): Promise<CreateMessageResult> {
      const v = current;
      v.inflight++;
      try {
        return await routerOf(v, kind, m).createMessage(params, route);
      } finally {
        v.inflight--;
        if (v.retired && v.inflight === 0) void closeVersion(v);
      }
    },
    explain: (params, explainOptions) => routerOf(current, kind, m).explain(params, explainOptions),
    // A session that ends lets go of its routers (a long-running `serve` opens many).
    close: async () => {
      hostSamplers.delete(kind);
      approvers.delete(kind);
      const mine = [...live].map((v) => v.routers.get(kind)).filter((r): r is Router => r !== undefined);
      for (const v of live) v.routers.delete(kind);
      await Promise.allSettled(mine.map((r) => r.close()));
    },
  });

  return {
    async forProxy(context) {
      const kind = `proxy-${sessions++}`;
      if (context.hostSampler) hostSamplers.set(kind, context.hostSampler);
      if (context.approver) approvers.set(kind, context.approver);
      return facade(kind, await load());
    },
    async forGateway() {
      return facade('gateway', await load());
    },
    swap(policy) {
      const old = current;
      current = { policy, routers: new Map(), inflight: 0, retired: false };
      live.add(current);
      old.retired = true;
      if (old.inflight === 0) void closeVersion(old);
    },
    get policy() {
      return current.policy;
    },
    async budgetStatus() {
      const gate = gateOf(current, await load());
      return gate ? gate.status() : [];
    },
    async close() {
      await Promise.allSettled([...live].map(closeVersion));
      await store?.close();
    },
  };
}
