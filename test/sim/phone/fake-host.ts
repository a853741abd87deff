// An in-memory stand-in for the simulator server, just enough to run phones
// against each other: device registry, prekey bundles (one-time keys popped),
// groups, and routing of <message>/<receipt> the way baileys-server-notes §7/§8
// describe (from = sender device, participant for groups, recipient for
// own-device copies). Acks are absorbed and counted.
import { jidDecode } from '../../../src/protocol/jid/index.js';
import type {
  CodeLinkFinish,
  CompanionReservation,
  CompanionSlot,
  PendingCodeLink,
  PhoneHost,
  PreKeyBundle,
  PreKeyUpload,
  SimNode,
} from '../../../src/sim/phone-host.js';

export interface FakeDevice {
  jid: string;
  onStanza(node: SimNode): void;
  bundle?: Omit<PreKeyUpload, 'preKeys'>;
  preKeys: Array<{ keyId: number; publicKey: Uint8Array }>;
}

export class FakeNetwork {
  clock = 1_790_000_000_000;
  readonly devices = new Map<string, FakeDevice>();
  readonly groups = new Map<string, string[]>();
  readonly log: SimNode[] = [];
  acks = 0;
  /** When set, drops routed stanzas for which it returns true. */
  drop?: (to: string, node: SimNode) => boolean;

  device(jid: string): FakeDevice {
    const d = this.devices.get(jid);
    if (!d) throw new Error(`no device ${jid}`);
    return d;
  }

  addDevice(jid: string): FakeDevice {
    const d: FakeDevice = { jid, onStanza: () => {}, preKeys: [] };
    this.devices.set(jid, d);
    return d;
  }

  hostFor(deviceJidStr: string, extra: Partial<PhoneHost> = {}): PhoneHost {
    const net = this;
    const dev = this.devices.get(deviceJidStr) ?? this.addDevice(deviceJidStr);
    const d = jidDecode(deviceJidStr)!;
    const host: PhoneHost = {
      phone: d.user,
      userJid: deviceJidStr, // a companion double sees its own device jid as "self"
      lid: `9${d.user}@lid`,
      name: d.user,
      now: () => net.clock,
      uploadPreKeys(up: PreKeyUpload) {
        dev.bundle = { registrationId: up.registrationId, identityKey: up.identityKey, signedPreKey: up.signedPreKey };
        dev.preKeys.push(...up.preKeys);
      },
      preKeyCount: () => dev.preKeys.length,
      devicesOf(user: string) {
        const u = jidDecode(user)!;
        return [...net.devices.keys()].filter((j) => {
          const x = jidDecode(j)!;
          return x.user === u.user && x.server === u.server && net.devices.get(j)!.bundle;
        });
      },
      takePreKeyBundle(jid: string): PreKeyBundle | undefined {
        const target = net.devices.get(jid);
        if (!target?.bundle) return undefined;
        const preKey = target.preKeys.shift();
        return { ...target.bundle, ...(preKey ? { preKey } : {}) };
      },
      groupParticipants: (g: string) => net.groups.get(g),
      deliverFromPhone: (stanza: SimNode) => net.route(deviceJidStr, stanza),
      reserveCompanion(_req: CompanionReservation): CompanionSlot {
        throw new Error('not in this fake');
      },
      completeCompanion: async () => {
        throw new Error('not in this fake');
      },
      seedCompanion(): CompanionSlot {
        throw new Error('not in this fake');
      },
      pendingCodeLink: (): PendingCodeLink | undefined => undefined,
      sendPrimaryHello: async (): Promise<CodeLinkFinish> => {
        throw new Error('not in this fake');
      },
      // No app state server in this fake: every collection is answered 503 (the simulator's tests cover app state).
      syncAppState: (requests) => requests.map((r) => ({ name: r.name, version: 0, hasMorePatches: false, patches: [], error: { code: 503, text: 'service-unavailable' } })),
      mediaBlob: () => undefined,
      ...extra,
    };
    return host;
  }

  #deliver(to: string, node: SimNode): void {
    this.log.push(node);
    if (this.drop?.(to, node)) return;
    this.devices.get(to)?.onStanza(node);
  }

  route(sender: string, stanza: SimNode): SimNode | undefined {
    const t = String(Math.floor(this.clock / 1000));
    if (stanza.tag === 'ack') {
      this.acks++;
      return undefined;
    }
    if (stanza.tag === 'receipt') {
      const { to, ...rest } = stanza.attrs;
      const target = stanza.attrs.participant && to!.endsWith('@g.us') ? stanza.attrs.participant : to!;
      this.#deliver(target, { tag: 'receipt', attrs: { ...rest, from: sender, t }, content: stanza.content });
      return undefined;
    }
    if (stanza.tag !== 'message') return undefined;
    const { id, to, type } = stanza.attrs;
    const kids = Array.isArray(stanza.content) ? stanza.content : [];
    const participants = kids.find((k) => k.tag === 'participants');
    const skmsg = kids.find((k) => k.tag === 'enc' && k.attrs.type === 'skmsg');
    const isGroupMsg = to!.endsWith('@g.us');
    const perDevice = new Map<string, SimNode[]>();
    for (const p of Array.isArray(participants?.content) ? participants!.content : []) {
      perDevice.set(p.attrs.jid!, Array.isArray(p.content) ? p.content : []);
    }
    if (!participants && !isGroupMsg) perDevice.set(to!, kids.filter((k) => k.tag === 'enc'));
    if (!participants && isGroupMsg && stanza.attrs.participant) perDevice.set(stanza.attrs.participant, kids.filter((k) => k.tag === 'enc'));
    if (isGroupMsg && skmsg) {
      for (const member of this.groups.get(to!) ?? []) {
        for (const dev of this.hostFor(sender).devicesOf(member)) if (dev !== sender && !perDevice.has(dev)) perDevice.set(dev, []);
      }
    }
    const senderUser = jidDecode(sender)!.user;
    for (const [dev, encs] of perDevice) {
      const own = jidDecode(dev)!.user === senderUser;
      const attrs: Record<string, string> = isGroupMsg
        ? { from: to!, participant: sender, id: id!, t, type: type ?? 'text' }
        : { from: sender, id: id!, t, type: type ?? 'text', ...(own ? { recipient: to! } : {}) };
      this.#deliver(dev, { tag: 'message', attrs, content: [...encs, ...(isGroupMsg && skmsg ? [skmsg] : [])] });
    }
    return { tag: 'ack', attrs: { class: 'message', id: id!, from: to!, t } };
  }
}
