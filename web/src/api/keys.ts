// Query keys in one place, so that a mutation can invalidate exactly what it changed.
export const queryKeys = {
  config: ["studio-config"] as const,
  billing: ["billing"] as const,
  balance: ["billing", "balance"] as const,
  usage: ["billing", "usage"] as const,
  plans: ["billing", "plans"] as const,
  catalog: ["catalog"] as const,
  templates: (platform: string | null, q: string) => ["catalog", "templates", platform, q] as const,
  stylePresets: ["catalog", "style-presets"] as const,
  providers: ["catalog", "providers"] as const,
  personas: ["personas"] as const,
  estimates: ["estimate"] as const,
  estimate: (body: unknown) => ["estimate", body] as const,
  operations: ["operations"] as const,
  operationList: (filters: unknown) => ["operations", "list", filters] as const,
  operation: (id: string) => ["operations", "one", id] as const,
  assets: ["assets"] as const,
};
