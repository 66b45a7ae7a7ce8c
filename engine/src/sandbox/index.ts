export { ScriptPool, type ScriptPoolOptions } from './pool';
export { defaultScriptLimits, scriptRequest, type ScriptLimits, type ScriptRequest, type ScriptResult } from './types';
