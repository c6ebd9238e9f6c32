import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  UsageError,
  type VClusterError,
} from '../errors.js'

interface Status {
  message?: string
  reason?: string
}

export function apiError(
  status: number,
  text: string,
  spec: {path: string; method?: string},
  server: string,
): VClusterError {
  let body: Status = {}
  try {
    body = JSON.parse(text) as Status
  } catch {
    body = {message: text.slice(0, 200)}
  }
  const message = body.message ?? `HTTP ${status}`
  if (status === 404) return new NotFoundError(message)
  if (status === 403)
    return new ForbiddenError(message, 'Ask your cluster admin for the missing permission, or use another --namespace.')
  if (status === 401)
    return new ForbiddenError(
      `the host cluster at ${server} rejected the credentials: ${message}`,
      'Refresh your kubeconfig credentials.',
    )
  if (status === 409) return new ConflictError(message)
  if (status === 422 || status === 400 || (status === 500 && message.includes('failed to create typed patch object'))) {
    return new UsageError(`the API server rejected ${spec.method ?? 'GET'} ${spec.path}: ${message}`)
  }
  return new UnavailableError(`the API server answered ${status} for ${spec.method ?? 'GET'} ${spec.path}: ${message}`)
}
