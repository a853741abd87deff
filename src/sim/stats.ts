/**
 * Counters for GET /stats. Plain numbers bumped by the modules that see the
 * events; nothing here decides anything.
 */
export class SimStats {
  connectionsOpened = 0;
  connectionsClosed = 0;
  handshakesFailed = 0;
  malformedFrames = 0;
  logins = 0;
  loginsRejected = 0;
  registrations = 0;
  pairings = 0;
  stanzasIn = 0;
  stanzasOut = 0;
  messagesRouted = 0;
  receiptsRouted = 0;
  acksReceived = 0;
  iqs = 0;
  offlineDelivered = 0;
  /** Offline batches sent (asked for, or unasked after the wait). */
  offlineBatches = 0;
  mediaUploads = 0;
  mediaDownloads = 0;
  faultsInjected = 0;
  /** Media requests answered by an injected fault instead. */
  mediaFaults = 0;
  /** Privacy tokens handed out (one per contact named in an issuing IQ). */
  tcTokensIssued = 0;
  /** 1:1 sends refused with 463 for want of a valid privacy token. */
  tcTokenRefusals = 0;
  /** 1:1 sends of a sender that needs a token which carried a valid one. */
  tcTokensAccepted = 0;
  /** Group sends refused (403) because the group lets only admins post and the sender is none. */
  announceRefusals = 0;
  /** Deletes of another member's group message (edit 8) refused because the sender is no admin. */
  adminRevokeRefusals = 0;
  /** Numbers asked about with the usync `contact` protocol (is it on WhatsApp?). */
  contactLookups = 0;
  /** Call signals relayed (offers, rejects, terminates…), the admin API's included. */
  callSignals = 0;

  toJSON(extra: { connections: number; devicesOnline: number; offlineQueues: Record<string, number>; dropped: number }): Record<string, unknown> {
    return {
      connections: extra.connections,
      devicesOnline: extra.devicesOnline,
      connectionsOpened: this.connectionsOpened,
      connectionsClosed: this.connectionsClosed,
      handshakesFailed: this.handshakesFailed,
      malformedFrames: this.malformedFrames,
      logins: this.logins,
      loginsRejected: this.loginsRejected,
      registrations: this.registrations,
      pairings: this.pairings,
      stanzasIn: this.stanzasIn,
      stanzasOut: this.stanzasOut,
      stanzasRouted: this.messagesRouted + this.receiptsRouted,
      messagesRouted: this.messagesRouted,
      receiptsRouted: this.receiptsRouted,
      acksReceived: this.acksReceived,
      iqs: this.iqs,
      offlineDelivered: this.offlineDelivered,
      offlineBatches: this.offlineBatches,
      offlineDropped: extra.dropped,
      offlineQueues: extra.offlineQueues,
      offlineQueued: Object.values(extra.offlineQueues).reduce((a, b) => a + b, 0),
      mediaUploads: this.mediaUploads,
      mediaDownloads: this.mediaDownloads,
      faultsInjected: this.faultsInjected,
      mediaFaults: this.mediaFaults,
      tcTokensIssued: this.tcTokensIssued,
      tcTokenRefusals: this.tcTokenRefusals,
      tcTokensAccepted: this.tcTokensAccepted,
      announceRefusals: this.announceRefusals,
      adminRevokeRefusals: this.adminRevokeRefusals,
      contactLookups: this.contactLookups,
      callSignals: this.callSignals,
    };
  }
}
