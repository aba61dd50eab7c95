// Vitest setup: the in-process logger writes nothing, so the test output is the runners' own. A test that reads
// the logs captures them (captureLogs, which logs at info whatever this says); servers the tests start as child
// processes keep their own LOG_LEVEL, and their output is read by the tests that need it.
import { logger } from '../../lib/log';

logger().level = process.env.TEST_LOG_LEVEL ?? 'silent';
