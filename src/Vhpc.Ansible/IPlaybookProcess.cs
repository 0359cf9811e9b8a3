namespace Vhpc.Ansible;

/// <summary>Starts one ansible-playbook process; a seam so the retry flow can be tested without Ansible.</summary>
internal interface IPlaybookProcess
{
    /// <summary>Runs to the end, handing over every stdout and stderr line; returns the exit code.</summary>
    Task<int> RunAsync(PlaybookCommand command, Action<string> onOutput, Action<string> onError, CancellationToken cancellationToken);
}
