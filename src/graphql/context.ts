import type { Viewer } from '../auth/viewer.js';
import type { Deps } from '../deps.js';
import type { Managers } from '../managers.types.js';

export interface GraphQLContext {
  deps: Deps;
  managers: Managers;
  viewer: Viewer;
  /** Set on WebSocket connections: drops the socket when one of its subscribers falls too far behind. */
  dropSlowSubscriber?: () => void;
}
