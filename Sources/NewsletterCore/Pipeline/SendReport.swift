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
    public var progress = SendProgress()
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
    public var hasPending: Bool { !isComplete && !nothingNew && !nothingToResume && dryRunDirectory == nil }
}
