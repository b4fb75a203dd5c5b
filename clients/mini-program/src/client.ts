import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./api.js";

export type { components, paths };
export type Schemas = components["schemas"];
export type Problem = Schemas["ProblemDetails"];

/** The HomeService API, typed from its OpenAPI document: every path, parameter, header and answer. */
export type HomeServiceClient = ReturnType<typeof createClient<paths>>;

export interface ClientOptions {
  /** Where the API is, e.g. http://127.0.0.1:5080 for the local host (scripts/run.sh). */
  baseUrl: string;
  /** The access token to send; read again on every request (so a refreshed token is picked up). */
  token?: () => string | undefined;
  /** en or zh-CN: the language of problem titles and messages. */
  language?: "en" | "zh-CN";
}

export function createHomeServiceClient(options: ClientOptions): HomeServiceClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = options.token?.();
      if (token) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      if (options.language) {
        request.headers.set("Accept-Language", options.language);
      }
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** A ProblemDetails answer as an Error, naming its code and the fields at fault. */
export class ApiProblem extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(`${status} ${problem.code}: ${problem.title}${problem.fieldCodes ? " " + JSON.stringify(problem.fieldCodes) : ""}`);
  }
}

/** The data of a successful answer, or an ApiProblem thrown for the error answer. */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) {
    return result.data;
  }
  throw new ApiProblem(result.response.status, result.error as Problem);
}
