// GraphQL over fetch. Business failures arrive as `errors: [UserError]` inside payloads;
// GraphQL errors (malformed request, UNAUTHENTICATED, FORBIDDEN) are thrown as ApiError.
// An UNAUTHENTICATED answer is retried once after refreshSession.

import { session } from "./session.js";

export const ENDPOINT = "/graphql";

export class ApiError extends Error {
  constructor(errors, status) {
    const first = errors[0] || {};
    super(first.message || `HTTP ${status}`);
    this.errors = errors;
    this.code = (first.extensions && first.extensions.code) || (status ? "HTTP_" + status : "NETWORK");
  }
}

const REFRESH = `mutation Refresh($input: RefreshSessionInput!) {
  refreshSession(input: $input) { auth { accessToken refreshToken expiresIn } errors { code message field } }
}`;

let refreshing = null;

/** Trade the refresh token for new tokens; signs out when it is refused. */
export function refreshTokens() {
  if (!refreshing) {
    refreshing = (async () => {
      const refreshToken = session.refreshToken;
      if (!refreshToken) return false;
      try {
        const data = await post(REFRESH, { input: { refreshToken } }, null);
        const payload = data.refreshSession;
        if (payload && payload.auth) {
          session.refreshed(payload.auth);
          return true;
        }
      } catch {
        // fall through to sign-out
      }
      session.signOut();
      return false;
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function post(query, variables, token) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch (error) {
    throw new ApiError([{ message: String(error), extensions: { code: "NETWORK" } }]);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError([], response.status);
  }
  if (body.errors && body.errors.length) throw new ApiError(body.errors, response.status);
  return body.data;
}

function isUnauthenticated(error) {
  return error instanceof ApiError && error.errors.some((e) => e.extensions && e.extensions.code === "UNAUTHENTICATED");
}

/** Run a query or mutation as the signed-in user (or anonymously). Returns `data`. */
export async function gql(query, variables = {}) {
  const token = session.accessToken;
  try {
    return await post(query, variables, token);
  } catch (error) {
    if (token && isUnauthenticated(error) && (await refreshTokens())) {
      return post(query, variables, session.accessToken);
    }
    throw error;
  }
}

/** Run a mutation and return its payload (`data[field]`). */
export async function mutate(field, query, input) {
  const data = await gql(query, { input });
  return data[field];
}

/** The names of the fields of a root type, or null when introspection is off. */
export async function rootFields(typeName) {
  try {
    const data = await post(`query($n: String!) { __type(name: $n) { fields { name } } }`, { n: typeName }, null);
    return data.__type ? new Set(data.__type.fields.map((f) => f.name)) : new Set();
  } catch {
    return null;
  }
}

export const USER_ERROR = "errors { code message field }";

/**
 * A mutation with files (GraphQL multipart request spec). `files` maps a variable
 * path such as "input.idCardFront" to a File; other variables travel as JSON.
 */
export async function mutateWithFiles(field, query, input, files) {
  const entries = Object.entries(files).filter(([, file]) => file);
  if (!entries.length) return mutate(field, query, input);
  const send = async () => {
    const form = new FormData();
    const variables = { input: { ...input } };
    const map = {};
    entries.forEach(([path], index) => {
      variables.input[path.split(".").pop()] = null;
      map[String(index)] = [`variables.${path}`];
    });
    form.append("operations", JSON.stringify({ query, variables }));
    form.append("map", JSON.stringify(map));
    entries.forEach(([, file], index) => form.append(String(index), file));
    const headers = {};
    if (session.accessToken) headers.Authorization = `Bearer ${session.accessToken}`;
    let response;
    try {
      response = await fetch(ENDPOINT, { method: "POST", headers, body: form });
    } catch (error) {
      throw new ApiError([{ message: String(error), extensions: { code: "NETWORK" } }]);
    }
    const body = await response.json().catch(() => ({ errors: [] }));
    if (body.errors && body.errors.length) throw new ApiError(body.errors, response.status);
    if (!body.data) throw new ApiError([], response.status);
    return body.data[field];
  };
  try {
    return await send();
  } catch (error) {
    if (isUnauthenticated(error) && (await refreshTokens())) return send();
    throw error;
  }
}
