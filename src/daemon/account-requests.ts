/**
 * The control requests answered by one account: live work runs on the
 * running account (messaging, groups, communities, app state, people, calls,
 * channels, history), and stored chats, contacts, messages and labels are read
 * from the account's store so a stopped account answers them too. Daemon
 * (daemon.ts) extends this, so these are its methods; they live apart because
 * each is a thin forward and together they would drown the daemon's wiring.
 */
import type { NewsletterFollowAction, NewsletterInfo } from '../contract/newsletters.js';
import { chatJid } from '../account/messaging/index.js';
import { inviteLink } from '../account/messaging/group-admin.js';
import type {
  ChatAction,
  ChatInfo,
  ChatListOptions,
  ContactInfo,
  MediaFile,
  GroupAction,
  GroupInfo,
  HistoryRequestResult,
  LabelEdit,
  LabelInfo,
  MediaDownload,
  MessageListOptions,
  OutgoingContent,
  SendOptions,
  StoredMessage,
  GroupInvite,
  GroupJoinRequest,
  GroupInviteMessageRef,
  GroupJoinResult,
  GroupParticipantResult,
  GroupSummary,
  GroupUpdate,
} from '../contract/api.js';
import type { ContactCheckResult, ContactInfoResult, PictureResult, PrivacySetting, PrivacySettings } from '../contract/people.js';
import type { CommunityCreated, CommunityInfo, CommunityLinkResult } from '../contract/communities.js';
import type { Store } from '../store/index.js';
import type { AccountManager } from './accounts/index.js';
import type { ClusterMember } from './cluster/member.js';
import { callRunning, readableStore, type AccountAccess } from './account-access.js';
import { groupSummary } from './group-views.js';
import { chatInfo, contactInfo } from './stored-views.js';

export abstract class AccountRequests implements AccountAccess {
  readonly accounts: AccountManager;
  readonly store: Store;
  /** This daemon's part in a cluster sharing a PostgreSQL store. */
  readonly cluster: ClusterMember | undefined;

  constructor(accounts: AccountManager, store: Store, cluster: ClusterMember | undefined) {
    this.accounts = accounts;
    this.store = store;
    this.cluster = cluster;
  }

  // messaging: the running account's messaging (and media), called by name

  sendMessage(id: string, chat: string, content: OutgoingContent, options: SendOptions = {}): Promise<{ messageId: string }> {
    return callRunning(this.accounts, id, async (a) => {
      const r = await a.messaging.send(chat, content, { idempotencyKey: options.idempotencyKey, audience: options.audience });
      this.accounts.count(id, 'sent');
      return r;
    });
  }
  editMessage(id: string, chat: string, messageId: string, content: string): Promise<{ messageId: string }> {
    return callRunning(this.accounts, id, (a) => a.messaging.edit(chat, messageId, content));
  }
  deleteMessage(id: string, chat: string, messageId: string): Promise<{ messageId: string }> {
    return callRunning(this.accounts, id, (a) => a.messaging.revoke(chat, messageId));
  }
  react(id: string, chat: string, messageId: string, emoji: string): Promise<{ messageId: string }> {
    return callRunning(this.accounts, id, (a) => a.messaging.react(chat, messageId, emoji));
  }
  markRead(id: string, chat: string, messageIds: string[], played = false): Promise<void> {
    return callRunning(this.accounts, id, (a) => a.messaging.markRead(chat, messageIds, played ? 'played' : 'read'));
  }
  sendChatState(id: string, chat: string, state: 'composing' | 'recording' | 'paused'): Promise<void> {
    return callRunning(this.accounts, id, (a) => a.messaging.chatState(chat, state));
  }
  sendPresence(id: string, status: 'available' | 'unavailable'): Promise<void> {
    return callRunning(this.accounts, id, (a) => a.messaging.presence(status));
  }
  downloadMedia(id: string, chat: string, messageId: string): Promise<MediaDownload> {
    return callRunning(this.accounts, id, (a) => a.downloadMedia(chat, messageId));
  }
  createGroup(id: string, subject: string, participants: string[]): Promise<{ jid: string }> {
    return callRunning(this.accounts, id, (a) => a.messaging.createGroup(subject, participants));
  }
  groupMetadata(id: string, group: string): Promise<GroupInfo> {
    return callRunning(this.accounts, id, (a) => a.messaging.groupMetadata(group));
  }
  groupParticipants(id: string, group: string, action: GroupAction, participants: string[]): Promise<GroupParticipantResult[]> {
    return callRunning(this.accounts, id, (a) => a.messaging.groupParticipants(group, action, participants));
  }
  listGroups(id: string): Promise<GroupSummary[]> {
    return callRunning(this.accounts, id, async (a) => (await a.messaging.listGroups()).map(groupSummary));
  }
  updateGroup(id: string, group: string, update: GroupUpdate): Promise<void> {
    return callRunning(this.accounts, id, (a) => a.messaging.updateGroup(group, update));
  }
  groupInvite(id: string, group: string, action: 'get' | 'revoke'): Promise<GroupInvite> {
    return callRunning(this.accounts, id, async (a) => {
      const code = await a.messaging.groupInvite(group, action === 'revoke');
      return { code, link: inviteLink(code) };
    });
  }
  joinGroup(id: string, code: string, invite?: GroupInviteMessageRef): Promise<GroupJoinResult> {
    return callRunning(this.accounts, id, async (a) => {
      const r = invite ? await a.messaging.acceptGroupInvite(code, invite) : await a.messaging.joinGroup(code);
      return r.pending ? { jid: r.jid, pending: true } : { jid: r.jid };
    });
  }
  groupRequests(id: string, group: string, _action: 'list'): Promise<GroupJoinRequest[]> {
    return callRunning(this.accounts, id, async (a) => (await a.messaging.groupJoinRequests(group)).map((r) => ({ jid: r.jid, ...(r.method ? { method: r.method } : {}), ...(r.t !== undefined ? { t: r.t } : {}) })));
  }
  answerGroupRequests(id: string, group: string, action: 'approve' | 'reject', participants: string[]): Promise<Array<{ jid: string; status: number }>> {
    return callRunning(this.accounts, id, (a) => a.messaging.answerGroupJoinRequests(group, action, participants));
  }
  leaveGroup(id: string, group: string): Promise<void> {
    return callRunning(this.accounts, id, (a) => a.messaging.leaveGroup(group));
  }
  createCommunity(id: string, subject: string, description?: string): Promise<CommunityCreated> {
    return callRunning(this.accounts, id, (a) => a.messaging.communities.create(subject, description));
  }
  communityMetadata(id: string, community: string): Promise<CommunityInfo> {
    return callRunning(this.accounts, id, (a) => a.messaging.communities.metadata(community));
  }
  linkCommunityGroups(id: string, community: string, groups: string[], link: boolean): Promise<CommunityLinkResult[]> {
    return callRunning(this.accounts, id, (a) => a.messaging.communities.link(community, groups, link));
  }
  leaveCommunity(id: string, community: string): Promise<string> {
    return callRunning(this.accounts, id, (a) => a.messaging.communities.leave(community));
  }

  // stored chats, contacts and messages: read from the store, so a stopped account answers too

  async listChats(id: string, opts: ChatListOptions): Promise<ChatInfo[]> {
    const store = await readableStore(this, id);
    return (await store.chats.list(opts)).map(chatInfo);
  }

  async listContacts(id: string): Promise<ContactInfo[]> {
    const store = await readableStore(this, id);
    return (await store.contacts.list()).map(contactInfo);
  }

  async listMessages(id: string, chat: string, opts: MessageListOptions): Promise<StoredMessage[]> {
    const store = await readableStore(this, id);
    // A LID chat whose phone number is known is stored under the number (the id consumers see).
    const running = this.accounts.running(id);
    const canonical = running ? await running.messaging.canonicalChat(chat).catch(() => chat) : chat;
    return store.chatMessages.list(canonical, opts);
  }

  async requestHistory(id: string, chat: string, count?: number): Promise<HistoryRequestResult> {
    return callRunning(this.accounts, id, (a) => a.history.request(chat, count));
  }

  // chats, messages and labels through app state

  modifyChat(id: string, chat: string, action: ChatAction, until?: number): Promise<void> {
    return callRunning(this.accounts, id, async (a) => a.appState.actions.modify(chatJid(chat), action, until));
  }
  starMessage(id: string, chat: string, messageId: string, starred: boolean): Promise<void> {
    return callRunning(this.accounts, id, async (a) => a.appState.actions.star(chatJid(chat), messageId, starred));
  }
  deleteMessageForMe(id: string, chat: string, messageId: string): Promise<{ messageId: string }> {
    return callRunning(this.accounts, id, async (a) => {
      await a.appState.actions.deleteForMe(chatJid(chat), messageId);
      return { messageId };
    });
  }
  async listLabels(id: string): Promise<LabelInfo[]> {
    const store = await readableStore(this, id);
    return (await store.appState.listLabels())
      .filter((l) => !l.deleted)
      .map((l) => ({ id: l.id, name: l.name, color: l.color, ...(l.predefinedId !== undefined ? { predefinedId: l.predefinedId } : {}) }));
  }
  editLabel(id: string, edit: LabelEdit): Promise<{ id: string }> {
    return callRunning(this.accounts, id, (a) => a.appState.actions.editLabel(edit));
  }
  labelChat(id: string, chat: string, labelId: string, labelled: boolean): Promise<void> {
    return callRunning(this.accounts, id, async (a) => a.appState.actions.labelChat(chatJid(chat), labelId, labelled));
  }

  // people: the running account's people side

  checkContacts(id: string, phones: string[]): Promise<ContactCheckResult[]> {
    return callRunning(this.accounts, id, (a) => a.people.checkContacts(phones));
  }
  contactInfo(id: string, jid: string): Promise<ContactInfoResult> {
    return callRunning(this.accounts, id, (a) => a.people.contactInfo(jid));
  }
  contactPicture(id: string, jid: string, preview: boolean): Promise<PictureResult> {
    return callRunning(this.accounts, id, (a) => a.people.contactPicture(jid, preview));
  }
  setProfile(id: string, change: { name?: string; about?: string }): Promise<void> {
    return callRunning(this.accounts, id, (a) => a.people.setProfile(change));
  }
  setProfilePicture(id: string, image: Uint8Array | { path: string } | MediaFile | undefined, group?: string): Promise<{ id?: string }> {
    return callRunning(this.accounts, id, (a) => a.people.setPicture(image, group));
  }
  getPrivacy(id: string): Promise<PrivacySettings> {
    return callRunning(this.accounts, id, (a) => a.people.getPrivacy());
  }
  setPrivacy(id: string, setting: PrivacySetting, value: string): Promise<void> {
    return callRunning(this.accounts, id, (a) => a.people.setPrivacy(setting, value));
  }
  blocklist(id: string): Promise<string[]> {
    return callRunning(this.accounts, id, (a) => a.people.blocklist());
  }
  updateBlock(id: string, jid: string, action: 'block' | 'unblock'): Promise<void> {
    return callRunning(this.accounts, id, (a) => a.people.updateBlock(jid, action));
  }
  subscribePresence(id: string, jid: string): Promise<void> {
    return callRunning(this.accounts, id, (a) => a.messaging.subscribePresence(jid));
  }

  // calls

  rejectCall(id: string, callId: string, from: string): Promise<void> {
    return callRunning(this.accounts, id, (a) => a.calls.reject(callId, from));
  }

  // channels

  createNewsletter(id: string, name: string, description?: string): Promise<NewsletterInfo> {
    return callRunning(this.accounts, id, (a) => a.channels.create(name, description));
  }

  newsletterMetadata(id: string, key: { jid: string } | { invite: string }): Promise<NewsletterInfo> {
    return callRunning(this.accounts, id, (a) => a.channels.metadata(key));
  }

  followNewsletter(id: string, jid: string, action: NewsletterFollowAction): Promise<void> {
    return callRunning(this.accounts, id, (a) => a.channels.follow(jid, action));
  }

  listNewsletters(id: string): Promise<NewsletterInfo[]> {
    return callRunning(this.accounts, id, (a) => a.channels.list());
  }
}
