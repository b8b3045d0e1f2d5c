// The admin page (the audit log; the audited acknowledge is in recommendations.spec.mjs).
import { test, visit } from '../fixtures.mjs';

test('page /admin renders, no API GET sent twice', async ({ as }) => {
  await visit(await as('ADMIN'), '/admin', '[data-testid="audit-table"]', 'admin');
});
