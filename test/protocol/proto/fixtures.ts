// Real-shaped Message contents, with the fields WhatsApp clients actually set
// (compare Baileys' generateWAMessageContent and what phones send). Values are
// deterministic so failures reproduce.
import { bytes } from './helpers.js';

export const ALICE = '15550001111@s.whatsapp.net';
export const BOB = '15550002222@s.whatsapp.net';
export const BOB_DEVICE = '15550002222:3@s.whatsapp.net';
export const CAROL_LID = '204873165127721@lid';
export const GROUP = '120363025246125888@g.us';
export const T = 1_700_000_000;
export const T_MS = 1_700_000_000_123;

export const key = (id: string, extra: Record<string, unknown> = {}) => ({ remoteJid: ALICE, fromMe: false, id, ...extra });

const messageContextInfo = (seed: string) => ({
  deviceListMetadata: {
    senderKeyHash: bytes(10, `${seed}/skh`),
    senderTimestamp: T - 86_400,
    senderKeyIndexes: [0, 3],
    recipientKeyHash: bytes(10, `${seed}/rkh`),
    recipientTimestamp: T - 3_600,
    recipientKeyIndexes: [0, 1, 7],
  },
  deviceListMetadataVersion: 2,
  messageSecret: bytes(32, `${seed}/secret`),
});

const mediaFields = (seed: string, mimetype: string, fileLength: number) => ({
  url: `https://mmg.whatsapp.net/v/t62.7118-24/${seed}.enc?ccb=11-4&oh=01_Q5AaI&oe=6590F1A2&_nc_sid=5e03e0&mms3=true`,
  mimetype,
  fileSha256: bytes(32, `${seed}/sha`),
  fileLength,
  mediaKey: bytes(32, `${seed}/key`),
  fileEncSha256: bytes(32, `${seed}/encsha`),
  directPath: `/v/t62.7118-24/${seed}.enc?ccb=11-4&oh=01_Q5AaI&oe=6590F1A2&_nc_sid=5e03e0`,
  mediaKeyTimestamp: T,
});

/** The quoted-reply context of a group message with mentions and a disappearing timer. */
export const replyContext = {
  stanzaId: '3EB0A1B2C3D4E5F60718',
  participant: BOB,
  quotedMessage: { conversation: 'Who is coming tonight?' },
  remoteJid: GROUP,
  mentionedJid: [BOB, CAROL_LID],
  expiration: 604_800,
  ephemeralSettingTimestamp: T - 10_000,
  disappearingMode: { initiator: 0, trigger: 1 },
  forwardingScore: 0,
  isForwarded: false,
};

export const MESSAGES: Record<string, Record<string, unknown>> = {
  text: {
    conversation: 'Hello from wad 👋 — ünïcödé ok',
    messageContextInfo: messageContextInfo('text'),
  },
  extendedTextWithPreviewAndQuote: {
    extendedTextMessage: {
      text: '@15550002222 look: https://example.com/article?id=42',
      matchedText: 'https://example.com/article?id=42',
      description: 'An article about protobuf round trips',
      title: 'Example Domain',
      previewType: 0,
      jpegThumbnail: bytes(1_200, 'preview/jpeg'),
      thumbnailDirectPath: '/v/t62.36144-24/19000000_1_n.enc?ccb=11-4',
      thumbnailSha256: bytes(32, 'preview/sha'),
      thumbnailEncSha256: bytes(32, 'preview/encsha'),
      mediaKey: bytes(32, 'preview/key'),
      mediaKeyTimestamp: T,
      thumbnailHeight: 320,
      thumbnailWidth: 480,
      inviteLinkGroupType: 0,
      contextInfo: replyContext,
    },
    messageContextInfo: messageContextInfo('ext'),
  },
  image: {
    imageMessage: {
      ...mediaFields('image', 'image/jpeg', 284_511),
      caption: 'sunset 🌅',
      height: 1_600,
      width: 1_200,
      jpegThumbnail: bytes(900, 'image/thumb'),
      contextInfo: { expiration: 86_400, mentionedJid: [BOB] },
      firstScanSidecar: bytes(10, 'image/fss'),
      firstScanLength: 4_218,
      scansSidecar: bytes(40, 'image/ss'),
      scanLengths: [4_218, 19_002, 61_338, 199_953],
      midQualityFileSha256: bytes(32, 'image/mq'),
      midQualityFileEncSha256: bytes(32, 'image/mqenc'),
      viewOnce: false,
      thumbnailDirectPath: '/v/t62.36145-24/1_n.enc?ccb=11-4',
      thumbnailSha256: bytes(32, 'image/tsha'),
      thumbnailEncSha256: bytes(32, 'image/tencsha'),
      staticUrl: '',
      imageSourceType: 0,
      accessibilityLabel: 'A sunset over the sea',
    },
    messageContextInfo: messageContextInfo('image'),
  },
  voiceNote: {
    audioMessage: {
      ...mediaFields('audio', 'audio/ogg; codecs=opus', 18_220),
      seconds: 7,
      ptt: true,
      streamingSidecar: bytes(8, 'audio/side'),
      waveform: bytes(64, 'audio/wave').map((b) => b % 101),
      backgroundArgb: 0xff_00_80_69,
    },
  },
  documentWithCaption: {
    documentWithCaptionMessage: {
      message: {
        documentMessage: {
          ...mediaFields('doc', 'application/pdf', 1_048_576),
          title: 'report.pdf',
          pageCount: 12,
          fileName: 'report.pdf',
          caption: 'Q3 numbers',
          jpegThumbnail: bytes(500, 'doc/thumb'),
          thumbnailHeight: 480,
          thumbnailWidth: 340,
        },
      },
    },
  },
  sticker: {
    stickerMessage: {
      ...mediaFields('sticker', 'image/webp', 22_018),
      height: 512,
      width: 512,
      isAnimated: true,
      firstFrameLength: 4_096,
      firstFrameSidecar: bytes(10, 'sticker/ffs'),
      pngThumbnail: bytes(200, 'sticker/png'),
      stickerSentTs: T_MS,
      isAvatar: false,
      isAiSticker: false,
      isLottie: false,
    },
  },
  videoGif: {
    videoMessage: {
      ...mediaFields('video', 'video/mp4', 4_003_112),
      seconds: 12,
      caption: 'look',
      gifPlayback: true,
      gifAttribution: 2,
      height: 720,
      width: 1_280,
      jpegThumbnail: bytes(700, 'video/thumb'),
      streamingSidecar: bytes(80, 'video/side'),
    },
  },
  pollCreationV3: {
    pollCreationMessageV3: {
      name: 'Dinner?',
      options: [{ optionName: 'Pizza' }, { optionName: 'Sushi' }, { optionName: 'Tacos 🌮' }],
      selectableOptionsCount: 1,
    },
    messageContextInfo: { messageSecret: bytes(32, 'poll/secret') },
  },
  pollVoteUpdate: {
    pollUpdateMessage: {
      pollCreationMessageKey: key('3EB0POLL000000000001', { remoteJid: GROUP, fromMe: true }),
      vote: { encPayload: bytes(50, 'vote/payload'), encIv: bytes(12, 'vote/iv') },
      metadata: {},
      senderTimestampMs: T_MS,
    },
  },
  reaction: {
    reactionMessage: { key: key('3EB0A1B2C3D4E5F60718', { remoteJid: GROUP, participant: BOB }), text: '❤️', senderTimestampMs: T_MS },
  },
  reactionRemoved: {
    reactionMessage: { key: key('3EB0A1B2C3D4E5F60718'), text: '', senderTimestampMs: T_MS },
  },
  revoke: {
    protocolMessage: { key: key('3EB0A1B2C3D4E5F60718', { fromMe: true }), type: 0 },
  },
  edit: {
    protocolMessage: {
      key: key('3EB0A1B2C3D4E5F60718', { fromMe: true }),
      type: 14,
      editedMessage: { extendedTextMessage: { text: 'fixed typo', contextInfo: { mentionedJid: [] } } },
      timestampMs: T_MS,
    },
  },
  editedWrapper: {
    editedMessage: {
      message: {
        protocolMessage: {
          key: key('3EB0A1B2C3D4E5F60718', { fromMe: true }),
          type: 14,
          editedMessage: { conversation: 'fixed typo' },
          timestampMs: T_MS,
        },
      },
    },
  },
  contactsArray: {
    contactsArrayMessage: {
      displayName: '2 contacts',
      contacts: [
        { displayName: 'Alice', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Alice\nTEL;type=CELL;waid=15550001111:+1 555 000 1111\nEND:VCARD' },
        { displayName: 'Bob', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Bob\nTEL;type=CELL;waid=15550002222:+1 555 000 2222\nEND:VCARD' },
      ],
    },
  },
  location: {
    locationMessage: {
      degreesLatitude: 52.520008,
      degreesLongitude: 13.404954,
      name: 'Alexanderplatz',
      address: '10178 Berlin, Germany',
      url: 'https://maps.example.com/?q=52.52,13.40',
      accuracyInMeters: 12,
      speedInMps: 1.5,
      degreesClockwiseFromMagneticNorth: 270,
      comment: 'meet here',
      jpegThumbnail: bytes(300, 'loc/thumb'),
    },
  },
  liveLocation: {
    liveLocationMessage: {
      degreesLatitude: -33.8688,
      degreesLongitude: 151.2093,
      accuracyInMeters: 5,
      speedInMps: 0.25,
      caption: 'on my way',
      sequenceNumber: T_MS,
      timeOffset: 30,
    },
  },
  deviceSentText: {
    deviceSentMessage: {
      destinationJid: BOB,
      message: { extendedTextMessage: { text: 'sent from my phone', contextInfo: { expiration: 0 } } },
    },
    messageContextInfo: messageContextInfo('dsm'),
  },
  ephemeralText: {
    ephemeralMessage: {
      message: {
        extendedTextMessage: { text: 'this will vanish', contextInfo: { expiration: 86_400, ephemeralSettingTimestamp: T - 50 } },
      },
    },
  },
  viewOnceImage: {
    viewOnceMessageV2: { message: { imageMessage: { ...mediaFields('vo', 'image/jpeg', 90_000), viewOnce: true } } },
  },
  ephemeralSetting: {
    protocolMessage: { type: 3, ephemeralExpiration: 604_800, ephemeralSettingTimestamp: T },
  },
  senderKeyDistribution: {
    senderKeyDistributionMessage: { groupId: GROUP, axolotlSenderKeyDistributionMessage: bytes(139, 'skdm') },
    conversation: 'first message in the group',
  },
  historySyncNotification: {
    protocolMessage: {
      type: 5,
      historySyncNotification: {
        fileSha256: bytes(32, 'hs/sha'),
        fileLength: 52_000,
        mediaKey: bytes(32, 'hs/key'),
        fileEncSha256: bytes(32, 'hs/encsha'),
        directPath: '/v/t62.1234-24/hist.enc?ccb=11-4',
        syncType: 0,
        chunkOrder: 1,
        originalMessageId: 'ABCDEF0123456789ABCDEF0123456789',
        progress: 42,
        oldestMsgInChunkTimestampSec: T - 100_000,
        initialHistBootstrapInlinePayload: bytes(64, 'hs/inline'),
      },
    },
  },
  appStateSyncKeyShare: {
    protocolMessage: {
      type: 6,
      appStateSyncKeyShare: {
        keys: [
          {
            keyId: { keyId: bytes(6, 'ask/id1') },
            keyData: { keyData: bytes(32, 'ask/data1'), fingerprint: { rawId: 1_234_567, currentIndex: 2, deviceIndexes: [0, 2] }, timestamp: T_MS },
          },
        ],
      },
    },
  },
  appStateSyncKeyRequest: {
    protocolMessage: { type: 7, appStateSyncKeyRequest: { keyIds: [{ keyId: bytes(6, 'ask/id1') }, { keyId: bytes(6, 'ask/id2') }] } },
  },
  placeholderResendRequest: {
    protocolMessage: {
      type: 16,
      peerDataOperationRequestMessage: {
        peerDataOperationRequestType: 4,
        placeholderMessageResendRequest: [{ messageKey: key('ABCDEF0123456789ABCDEF0123456789') }],
      },
    },
  },
  historyOnDemandRequest: {
    protocolMessage: {
      type: 16,
      peerDataOperationRequestMessage: {
        peerDataOperationRequestType: 3,
        historySyncOnDemandRequest: {
          chatJid: ALICE,
          oldestMsgId: 'ABCDEF0123456789ABCDEF0123456789',
          oldestMsgFromMe: false,
          onDemandMsgCount: 50,
          oldestMsgTimestampMs: T_MS,
        },
      },
    },
  },
  groupInvite: {
    groupInviteMessage: {
      groupJid: GROUP,
      inviteCode: 'K2pGZ8qzBh1Jp3a4X9mTqr',
      inviteExpiration: T + 259_200,
      groupName: 'Climbing',
      caption: 'join us',
      jpegThumbnail: bytes(120, 'gi/thumb'),
    },
  },
};
