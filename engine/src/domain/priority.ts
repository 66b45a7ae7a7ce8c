/**
 * Claim order. A task's rank is the time it becomes visible minus a bonus for its workflow's
 * priority (0-99): each priority point is worth PRIORITY_STEP_MS of waiting. Higher priority goes
 * first, and a low-priority task that has waited longer than the bonus goes before new
 * high-priority work, so nothing starves (priority 99 vs 0 = at most 99 s of extra wait).
 */
export const PRIORITY_STEP_MS = 1000;

export const rankOf = (visibleAt: number, priority: number): number => visibleAt - priority * PRIORITY_STEP_MS;
