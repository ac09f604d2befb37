// The query layer: one hook per server resource, all through the typed client. Pages import from here.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, unwrapAs } from "./client";
import { queryKeys } from "./keys";
import type {
  Accepted, Balance, Estimate, Operation, OperationStatus, Page, Persona, Provider, StudioConfig, StylePreset,
  Template, Usage,
} from "./types";

export { queryKeys };

export function useStudioConfig() {
  return useQuery({
    queryKey: queryKeys.config,
    queryFn: () => unwrapAs<StudioConfig>(api.GET("/api/studio-config")),
    staleTime: Infinity,
  });
}

export function useBalance() {
  return useQuery({
    queryKey: queryKeys.balance,
    queryFn: () => unwrapAs<Balance>(api.GET("/api/billing/balance")),
  });
}

export function useUsage() {
  return useQuery({
    queryKey: queryKeys.usage,
    queryFn: () => unwrapAs<Usage>(api.GET("/api/billing/usage")),
  });
}

/** Templates of one platform (null: all), optionally matching a search; the catalogue is a few dozen, so
 * it is listed once and filtered here, while a search asks the API (it ranks by name, use case and text). */
export function useTemplates(platform: string | null, search: string) {
  const q = search.trim();
  return useQuery({
    queryKey: queryKeys.templates(null, q),
    queryFn: async () => {
      const page = q
        ? await unwrapAs<Page<Template>>(api.GET("/api/image-studio/templates/search", {
          params: { query: { q, limit: 100 } },
        }))
        : await unwrapAs<Page<Template>>(api.GET("/api/image-studio/templates"));
      return page.items;
    },
    select: (items: Template[]) => (platform ? items.filter((t) => t.platform === platform) : items),
    staleTime: 5 * 60_000,
    placeholderData: keepPreviousData,
  });
}

export function useStylePresets() {
  return useQuery({
    queryKey: queryKeys.stylePresets,
    queryFn: async () => (await unwrapAs<Page<StylePreset>>(api.GET("/api/image-studio/style-presets"))).items,
    staleTime: 5 * 60_000,
  });
}

export function useProviders() {
  return useQuery({
    queryKey: queryKeys.providers,
    queryFn: async () => (await unwrapAs<Page<Provider>>(api.GET("/api/image-studio/providers"))).items,
    staleTime: 5 * 60_000,
  });
}

export function usePersonas() {
  return useQuery({
    queryKey: queryKeys.personas,
    queryFn: async () => (await unwrapAs<Page<Persona>>(api.GET("/api/image-studio/personas"))).items,
  });
}

/** Prices any request body accepted by POST /estimate-cost; `body` null means "nothing to price yet". */
export function useEstimate(body: Record<string, unknown> | null) {
  return useQuery({
    queryKey: queryKeys.estimate(body),
    queryFn: ({ signal }) => unwrapAs<Estimate>(api.POST("/api/image-studio/estimate-cost", {
      body: body as Record<string, never>,
      signal,
    })),
    enabled: body !== null,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 10_000,
  });
}

export interface OperationFilters {
  page: number;
  page_size: number;
  status?: OperationStatus;
  kind?: string;
}

export function useOperations(filters: OperationFilters) {
  return useQuery({
    queryKey: queryKeys.operationList(filters),
    queryFn: () => unwrapAs<Page<Operation>>(api.GET("/api/image-studio/operations", { params: { query: filters } })),
    placeholderData: keepPreviousData,
  });
}

export function useOperation(operationId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.operation(operationId ?? ""),
    queryFn: () => unwrapAs<Operation>(api.GET("/api/image-studio/operations/{operation_id}", {
      params: { path: { operation_id: operationId! } },
    })),
    enabled: Boolean(operationId),
  });
}

export function useCreate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: Record<string, unknown>; idempotencyKey: string }) =>
      unwrapAs<Accepted>(api.POST("/api/image-studio/create", {
        body: body as never,
        headers: { "Idempotency-Key": idempotencyKey },
      })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.billing });
      void queryClient.invalidateQueries({ queryKey: queryKeys.estimates });
      void queryClient.invalidateQueries({ queryKey: queryKeys.operations });
    },
  });
}

export function useCancelOperation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (operationId: string) => unwrap(api.POST("/api/image-studio/operations/{operation_id}/cancel", {
      params: { path: { operation_id: operationId } },
    })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.operations }),
  });
}

export function useDevSignIn() {
  return useMutation({
    mutationFn: (userName: string) => unwrap(api.POST("/api/dev/token", { body: { user_name: userName } })),
  });
}
