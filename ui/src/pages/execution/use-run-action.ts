import { useMutation, useQueryClient } from '@tanstack/react-query';
import { announce } from '../../components/Announcer';

/**
 * One action on a run: runs the call, says so when it worked, and reads the run again at once
 * (instead of waiting for the next 2 s refresh). A refusal stays on the mutation for the UI to show.
 */
export function useRunAction<A>(workflowId: string, fn: (args: A) => Promise<unknown>, done: string | ((args: A) => string)) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (_r, args) => {
      announce(typeof done === 'string' ? done : done(args));
      void qc.invalidateQueries({ queryKey: ['workflow', workflowId] });
      void qc.invalidateQueries({ queryKey: ['workflow-search'] });
    },
  });
}
