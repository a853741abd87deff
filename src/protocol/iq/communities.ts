/**
 * xmlns="w:g2", communities: a parent group whose members are the
 * community's, the announcements group the server makes with it, and the
 * groups linked to it. Pure specs, in the shapes WhatsApp Web sends (and
 * whatsmeow and Baileys do).
 *
 *   create:  <iq to="@g.us" set><create subject key><description id><body>…</body></description>
 *              <parent default_membership_approval_mode="request_required"/></create></iq> → <group …><parent/></group>
 *   link:    <iq to=community set><links><link link_type="sub_group"><group jid/></link></links></iq>
 *   unlink:  <iq to=community set><unlink unlink_type="sub_group"><group jid/></unlink></iq>
 *   linked:  <iq to=community get><sub_groups/></iq> → <sub_groups><group id subject [<default_sub_group/>]/>…</sub_groups>
 *   leave:   <iq to="@g.us" set><leave><community id/></leave></iq> (out of the community and every group of it)
 */
import { child, childrenByTag, node } from '../stanza/nodes.js';
import { GROUP_SERVER, parseGroup, type GroupMetadata } from './groups.js';
import { IqParseError } from './errors.js';
import { iq, type IqSpec } from './spec.js';

const done = (): void => undefined;

/**
 * @param key a unique id for the request (WhatsApp Web uses a message id)
 * @param descriptionId a fresh id for the description, when there is one
 */
export function createCommunity(subject: string, description: string | undefined, key: string, descriptionId: string): IqSpec<GroupMetadata> {
  const children = [
    ...(description ? [node('description', { id: descriptionId }, [node('body', {}, new TextEncoder().encode(description))])] : []),
    // New members ask to join, as WhatsApp's apps make communities.
    node('parent', { default_membership_approval_mode: 'request_required' }),
  ];
  return {
    build: () => iq('w:g2', 'set', [node('create', { subject, key }, children)], `@${GROUP_SERVER}`),
    parse(result) {
      const g = child(result, 'group');
      if (!g) throw new IqParseError('community create answer has no <group>');
      return parseGroup(g);
    },
  };
}

/** Links an existing group (which we administer) to the community. */
export function linkSubGroup(community: string, group: string): IqSpec<void> {
  return {
    build: () => iq('w:g2', 'set', [node('links', {}, [node('link', { link_type: 'sub_group' }, [node('group', { jid: group })])])], community),
    parse: done,
  };
}

export function unlinkSubGroup(community: string, group: string): IqSpec<void> {
  return { build: () => iq('w:g2', 'set', [node('unlink', { unlink_type: 'sub_group' }, [node('group', { jid: group })])], community), parse: done };
}

/** Leaves a community: the server takes us out of it and of every group linked to it. */
export function leaveCommunity(community: string): IqSpec<void> {
  return { build: () => iq('w:g2', 'set', [node('leave', {}, [node('community', { id: community })])], `@${GROUP_SERVER}`), parse: done };
}

export interface LinkedGroup {
  readonly jid: string;
  readonly subject: string;
  /** The community's announcements group. */
  readonly isAnnouncements: boolean;
}

export function communitySubGroups(community: string): IqSpec<LinkedGroup[]> {
  return {
    build: () => iq('w:g2', 'get', [node('sub_groups')], community),
    parse(result) {
      const list = child(result, 'sub_groups');
      if (!list) throw new IqParseError('sub groups answer has no <sub_groups>');
      return childrenByTag(list, 'group').flatMap((g) => {
        const id = g.attrs.jid ?? g.attrs.id;
        if (!id) return [];
        return [{ jid: id.includes('@') ? id : `${id}@${GROUP_SERVER}`, subject: g.attrs.subject ?? '', isAnnouncements: child(g, 'default_sub_group') !== undefined }];
      });
    },
  };
}
