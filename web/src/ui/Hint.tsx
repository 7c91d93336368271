import * as Tooltip from '@radix-ui/react-tooltip';
import { Info } from 'lucide-react';

/** The seed's **i** icon: a button (keyboard-reachable) whose tooltip shows the hint on hover or focus. */
export function Hint({ label, text }: { label: string; text: string }) {
  return (
    <Tooltip.Provider delayDuration={150}>
      <Tooltip.Root>
        <Tooltip.Trigger asChild>
          <button type="button" className="icon" aria-label={label}>
            <Info size={16} aria-hidden="true" />
          </button>
        </Tooltip.Trigger>
        <Tooltip.Portal>
          <Tooltip.Content className="tooltip" sideOffset={4}>
            {text}
            <Tooltip.Arrow className="tooltip-arrow" />
          </Tooltip.Content>
        </Tooltip.Portal>
      </Tooltip.Root>
    </Tooltip.Provider>
  );
}
