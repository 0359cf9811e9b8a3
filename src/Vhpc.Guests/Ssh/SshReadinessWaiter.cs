using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Vhpc.Guests.Ssh;

/// <summary>
/// Waits until a booting guest accepts SSH with the cluster key and passes the readiness checks
/// (cloud-init done, hostname). Retries, through the "vhpc-ssh-readiness" Polly pipeline, only what a
/// booting guest produces: refused, timed-out, reset or unreachable connections, and a rejected key
/// within <see cref="SshReadinessOptions.AuthenticationGraceWindow"/>. A host key mismatch or a
/// failed check ends the wait at once.
/// </summary>
internal sealed class SshReadinessWaiter
{
    public const string PipelineName = "vhpc-ssh-readiness";

    private readonly ISshConnector _connector;
    private readonly SshReadinessOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public SshReadinessWaiter(ISshConnector connector, SshReadinessOptions options, TimeProvider timeProvider, ILogger<SshReadinessWaiter> logger)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _connector = connector;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<SshReadyResult> WaitAsync(SshTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var started = _timeProvider.GetTimestamp();
        var attempts = 0;
        long? firstAuthRejection = null;
        TimeSpan? firstConnected = null;
        Exception? lastFailure = null;

        var pipeline = new ResiliencePipelineBuilder { Name = PipelineName, TimeProvider = _timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                Name = PipelineName + "-retry",
                MaxRetryAttempts = int.MaxValue, // bounded by the deadline below, not by a count
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Randomizer = _options.Randomizer ?? Random.Shared.NextDouble,
                Delay = _options.InitialDelay,
                MaxDelay = _options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && !args.Context.CancellationToken.IsCancellationRequested && IsTransient(e)),
                OnRetry = args =>
                {
                    var attempt = args.AttemptNumber + 1;
                    var reason = Describe(args.Outcome.Exception!);
                    Log.SshAttemptFailed(_logger, target.Host, target.Port, attempt, args.RetryDelay, reason);

                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        bool IsTransient(Exception exception)
        {
            lastFailure = exception;
            switch (SshFailures.Classify(exception))
            {
                case SshFailureKind.NotReachableYet:
                    return true;
                case SshFailureKind.AuthenticationRejected:
                    firstAuthRejection ??= _timeProvider.GetTimestamp();
                    return _timeProvider.GetElapsedTime(firstAuthRejection.Value) < _options.AuthenticationGraceWindow;
                default:
                    return false;
            }
        }

        using var deadline = new CancellationTokenSource(_options.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                using var session = await _connector.ConnectAsync(target, token).ConfigureAwait(false);
                firstConnected ??= _timeProvider.GetElapsedTime(started);
                Log.SshConnected(_logger, target.Host, target.Port, attempts, firstConnected.Value);
                var summaries = new List<KeyValuePair<string, string>>();
                foreach (var check in _options.Checks)
                {
                    var summary = await check.CheckAsync(session, token).ConfigureAwait(false);
                    Log.ReadinessCheckPassed(_logger, target.Host, target.Port, check.Name, summary);
                    summaries.Add(new(check.Name, summary));
                }

                var elapsed = _timeProvider.GetElapsedTime(started);
                Log.SshReady(_logger, target.Host, target.Port, target.ExpectedHostname, elapsed);
                return new SshReadyResult(target, elapsed, firstConnected.Value, attempts, summaries);
            }, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var message = $"{target} ({target.ExpectedHostname}) was not SSH-ready after {_options.Timeout.TotalSeconds:0} s "
                + $"and {attempts} attempts; last error: {(lastFailure is null ? "none (still running the checks)" : Describe(lastFailure))}.";
            Log.SshNotReady(_logger, target.Host, target.Port, message);
            throw lastFailure is null ? new GuestNotReadyException(message) : new GuestNotReadyException(message, lastFailure);
        }
        catch (Exception exception) when (exception is not (HostKeyMismatchException or ReadinessCheckFailedException or OperationCanceledException))
        {
            var reason = SshFailures.Classify(exception) == SshFailureKind.AuthenticationRejected
                ? $"the key {target.PrivateKeyPath} was still rejected for user {target.User} "
                  + $"{_options.AuthenticationGraceWindow.TotalSeconds:0} s after the first rejection: {exception.Message}"
                : Describe(exception);
            var message = $"{target} ({target.ExpectedHostname}) is not SSH-ready after {attempts} attempts: {reason}";
            Log.SshNotReady(_logger, target.Host, target.Port, message);
            throw new GuestNotReadyException(message, exception);
        }
    }

    private static string Describe(Exception exception) => exception switch
    {
        System.Net.Sockets.SocketException socket => $"{socket.SocketErrorCode}: {socket.Message}",
        { InnerException: System.Net.Sockets.SocketException inner } => $"{inner.SocketErrorCode}: {exception.Message}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };
}
