/**
 * The signed-in manager, from the login answer or `GET /admin/api/me`. Only the CSRF token is kept in memory
 * for the API client; the session itself is the HttpOnly cookie the page never sees.
 */
import { createContext, useContext } from 'react';
import {
  type LoginRequest,
  type Manager,
  MeResponseSchema,
  OkResponseSchema,
} from '../../../shared/schemas/admin-api.ts';
import { ApiError, call, setCsrfToken } from './api.ts';

export async function loadMe(): Promise<Manager | null> {
  try {
    const me = await call('GET', '/admin/api/me', MeResponseSchema);
    setCsrfToken(me.csrf_token);
    return me.manager;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export async function login(req: LoginRequest): Promise<Manager> {
  const me = await call('POST', '/admin/api/login', MeResponseSchema, req);
  setCsrfToken(me.csrf_token);
  return me.manager;
}

export async function logout(): Promise<void> {
  try {
    await call('POST', '/admin/api/logout', OkResponseSchema, {});
  } finally {
    setCsrfToken(null);
  }
}

export const ManagerContext = createContext<Manager | null>(null);

export function useManager(): Manager {
  const m = useContext(ManagerContext);
  if (!m) throw new Error('useManager outside a signed-in page');
  return m;
}
