// Webfilters: the engine behind POST /api/filters (no Next.js here, so tests and benches use it directly).
export { runFilter, filterPayload, type FilterRun, type FilterResponse, type FilterLogEntry, type FilterOutcome, type RunFilterInput } from './run';
export { writeFilterLog, flushFilterLogs } from './log';
export { parseFilterRequest, type FilterRequest } from './request';
export { deepMerge, isPlainObject, type JsonObject } from './merge';
export { httpHalt, replyHalt, type FilterException } from './halt';
export { judge, type Verdict } from './verdict';
