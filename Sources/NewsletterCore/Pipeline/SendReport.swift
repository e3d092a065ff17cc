/// What a `send` run did.
public struct SendReport: Sendable {
    /// The edition sent (nil when there was nothing new to send).
    public var editionID: String?
    /// Whether an unfinished edition was resumed.
    public var isResumed = false
    public var articleCount = 0
    /// Recipients already served by an earlier run of the same edition.
    public var alreadyDone = 0
    /// Active recipients skipped with a warning (an address this sender cannot deliver to).
    public var skipped: [String] = []
    /// Addresses active in the list but opted out in the suppression journal, not sent to.
    public var suppressed = 0
    /// Permanent failures: address and reply.
    public var failures: [(address: String, reply: String)] = []
    /// Recipients left pending for the next run, with the last reply.
    public var deferred: [(address: String, reply: String)] = []
    /// Recipients whose message went out whole without a reply to its end of data: recorded as unknown, and sent
    /// once more by the next run (never in this one).
    public var unknown: [(address: String, reply: String)] = []
    /// Recipients whose outcome an earlier run left unknown, sent once more in this run.
    public var resent: [String] = []
    public var progress = SendProgress()
    /// What each relay did (one entry for the single-relay form).
    public var relays: [RelayReport] = []
    /// Whether the run was stopped by SIGTERM or SIGINT before it finished.
    public var wasInterrupted = false
    /// Whether the edition is now complete.
    public var isComplete = false
    /// Set when there was no new article and nothing was sent.
    public var nothingNew = false
    /// Set when `resumeOnly` found no unfinished edition.
    public var nothingToResume = false
    /// The dry-run folder, if this was one.
    public var dryRunDirectory: String?

    /// Whether some recipients remain for the next run.
    public var hasPending: Bool {
        !isComplete && !nothingNew && !nothingToResume && dryRunDirectory == nil && !isAwaitingResendOnly
    }

    /// Whether all that keeps the edition open is the one resend of unknown outcomes, which the next run makes:
    /// every recipient has an outcome, so the run succeeded (exit 0).
    public var isAwaitingResendOnly: Bool {
        !isComplete && !unknown.isEmpty && deferred.isEmpty && progress.deferred == 0 && !wasInterrupted
    }
}
