import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { type ChatView, MAX_MESSAGE_LENGTH } from './chat.types.js';

/** What a chat accepts: message text, optional customer fields, and the errors a chat answers with. */

export const chatNotFound = (id: string) => new NotFoundError('chat/not_found', `Chat '${id}' not found`);

export const clean = (v: string | null | undefined) => {
  const t = v?.trim();
  return t ? t : null;
};

export function messageText(text: string): string {
  if (typeof text !== 'string' || text.trim() === '')
    throw new ValidationError('chat/empty_message', 'A chat message needs some text', 'message');
  if (text.length > MAX_MESSAGE_LENGTH)
    throw new ValidationError(
      'chat/message_too_long',
      `A chat message is at most ${MAX_MESSAGE_LENGTH} characters`,
      'message',
    );
  return text;
}

export const ended = (chat: ChatView) =>
  new ConflictError('chat/disconnected', `Chat '${chat.id}' is disconnected`);
