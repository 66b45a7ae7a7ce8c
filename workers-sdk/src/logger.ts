// The SDK logs through whatever logger the application injects. The shape is the subset of pino's
// API the SDK uses, so a pino logger (or a child of one) can be passed as is.

export interface LogFn {
  (obj: Record<string, unknown>, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** When present (pino), used to carry task/worker bindings; otherwise bindings are merged in. */
  child?: (bindings: Record<string, unknown>) => Logger;
}

const ignore: LogFn = () => {};

export const silentLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });

/** A logger that adds `bindings` (workerId, taskId...) to every line. */
export function scopeLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  if (logger === silentLogger) return logger;
  if (typeof logger.child === 'function') return logger.child(bindings);
  const scoped = (level: keyof Omit<Logger, 'child'>): LogFn =>
    ((objOrMsg: Record<string, unknown> | string, msg?: string): void => {
      if (typeof objOrMsg === 'string') logger[level]({ ...bindings }, objOrMsg);
      else logger[level]({ ...bindings, ...objOrMsg }, msg);
    }) as LogFn;
  return {
    debug: scoped('debug'),
    info: scoped('info'),
    warn: scoped('warn'),
    error: scoped('error'),
    child: (more) => scopeLogger(logger, { ...bindings, ...more }),
  };
}
