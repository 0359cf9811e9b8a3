# -*- coding: utf-8 -*-
# vhpcd's stdout callback: one JSON object per line, read by Vhpc.Engine.Configuration.AnsibleRunner.
# The line format is a contract with that parser (CallbackEvent.cs); add fields, never rename them.
#
# Results arrive here already cleaned by Ansible: a task with no_log carries only a "censored"
# note, and this plugin forwards nothing of a result but its status, a short message and the
# return code, so a no_log task (the munge key copy) can never leak through it.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = '''
    name: vhpc_json
    type: stdout
    short_description: one JSON event per line for vhpcd
    description:
      - Prints playbook, play, task and per-host result events and the final stats as JSON lines.
    requirements:
      - set as stdout callback (ANSIBLE_STDOUT_CALLBACK=vhpc_json)
'''

import json
import sys

from ansible.plugins.callback import CallbackBase

MESSAGE_LIMIT = 2000


def _text(value):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = '\n'.join(str(v) for v in value)
    value = str(value)
    if len(value) > MESSAGE_LIMIT:
        value = '...' + value[-MESSAGE_LIMIT:]
    return value


def _message(res):
    """The one line a person needs: what the module said went wrong (or right)."""
    if not isinstance(res, dict):
        return None
    if 'censored' in res:
        return 'censored (no_log)'
    for key in ('msg', 'reason'):
        if res.get(key):
            msg = _text(res[key])
            stderr = res.get('stderr')
            if stderr and key == 'msg' and msg in ('non-zero return code', ''):
                msg = msg + ': ' + _text(stderr)
            return msg
    for key in ('stderr', 'stdout'):
        if res.get(key):
            return _text(res[key])
    if isinstance(res.get('results'), list):
        # a loop: the first item that failed explains the task
        for item in res['results']:
            if isinstance(item, dict) and (item.get('failed') or item.get('unreachable')):
                return _message(item)
    return None


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'vhpc_json'

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._plays = []
        self._play_index = -1
        self._play_name = None
        self._task_name = None

    def _emit(self, event, **fields):
        fields['event'] = event
        line = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=True)
        sys.stdout.write(line + '\n')
        sys.stdout.flush()

    def _end_play(self):
        if self._play_index >= 0:
            self._emit('play_end', play=self._play_name, play_index=self._play_index)

    # playbook / play / task -------------------------------------------------------------

    def v2_playbook_on_start(self, playbook):
        self._plays = list(playbook.get_plays())
        self._emit('playbook_start', playbook=getattr(playbook, '_file_name', None), plays=len(self._plays))

    def v2_playbook_on_play_start(self, play):
        self._end_play()
        index = -1
        for i, p in enumerate(self._plays):
            if p is play:
                index = i
                break
        if index < 0:
            index = self._play_index + 1
        self._play_index = index
        self._play_name = play.get_name().strip()
        self._emit('play_start', play=self._play_name, play_index=index, plays=len(self._plays))

    def v2_playbook_on_no_hosts_matched(self):
        self._emit('no_hosts', play=self._play_name, play_index=self._play_index)

    def _task_start(self, task, handler):
        self._task_name = task.get_name().strip()
        self._emit('task_start', play=self._play_name, play_index=self._play_index,
                   task=self._task_name, action=task.action, handler=handler)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_start(task, False)

    def v2_playbook_on_handler_task_start(self, task):
        self._task_start(task, True)

    # per-host results --------------------------------------------------------------------

    def _result(self, status, result, **extra):
        res = result._result if isinstance(result._result, dict) else {}
        fields = dict(
            host=result._host.get_name(),
            task=result._task.get_name().strip() if result._task else self._task_name,
            play=self._play_name,
            play_index=self._play_index,
            status=status,
        )
        if status in ('failed', 'unreachable'):
            fields['msg'] = _message(res)
            if isinstance(res.get('rc'), int):
                fields['rc'] = res['rc']
        if 'censored' in res:
            fields['censored'] = True
        delegated = res.get('_ansible_delegated_vars') or {}
        if delegated.get('ansible_host'):
            fields['delegated_to'] = delegated.get('ansible_delegated_host') or delegated.get('ansible_host')
        fields.update(extra)
        self._emit('host_result', **fields)

    def v2_runner_on_ok(self, result):
        self._result('changed' if result._result.get('changed', False) else 'ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result('failed', result, ignored=bool(ignore_errors))

    def v2_runner_on_unreachable(self, result):
        self._result('unreachable', result)

    def v2_runner_on_skipped(self, result):
        self._result('skipped', result)

    # end ------------------------------------------------------------------------------

    def v2_playbook_on_stats(self, stats):
        self._end_play()
        self._play_index = -1
        hosts = {}
        for host in sorted(stats.processed.keys()):
            s = stats.summarize(host)
            hosts[host] = dict(ok=s['ok'], changed=s['changed'], failures=s['failures'],
                               unreachable=s['unreachable'], skipped=s['skipped'],
                               rescued=s['rescued'], ignored=s['ignored'])
        self._emit('stats', hosts=hosts)
