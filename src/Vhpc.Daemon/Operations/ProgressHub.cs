using System.Threading.Channels;
using Vhpc.Engine.Progress;

namespace Vhpc.Daemon.Operations;

/// <summary>Fans every progress event out to the `watch` streams currently connected.</summary>
internal sealed class ProgressHub
{
    private readonly Lock _gate = new();
    private readonly List<Channel<ProgressEvent>> _subscribers = [];

    public void Publish(ProgressEvent progress)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                // A slow watcher loses its oldest events rather than slowing an apply down.
                subscriber.Writer.TryWrite(progress);
            }
        }
    }

    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<ProgressEvent>(new BoundedChannelOptions(1024)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return new Subscription(this, channel);
    }

    private void Remove(Channel<ProgressEvent> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    public sealed class Subscription : IDisposable
    {
        private readonly ProgressHub _hub;
        private readonly Channel<ProgressEvent> _channel;

        internal Subscription(ProgressHub hub, Channel<ProgressEvent> channel)
        {
            _hub = hub;
            _channel = channel;
        }

        public ChannelReader<ProgressEvent> Reader => _channel.Reader;

        public void Dispose() => _hub.Remove(_channel);
    }
}
