# -*- coding: utf-8 -*-
# Benchmark stdout callback: one JSON line per host result with the seconds since the task started on
# that host (v2_runner_on_start, so it holds for the free strategy too, where hosts run different
# tasks at once), and a final line with the whole run's seconds. Used by tests/bench/task-cost.sh and
# tests/bench/configure.sh.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = '''
    name: vhpc_task_timer
    type: stdout
    short_description: per-task, per-host durations as JSON lines
    description:
      - Prints one JSON object per host result (task, host, status, seconds) and the run's total.
'''

import json
import sys
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'vhpc_task_timer'

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._started = time.monotonic()
        self._task_started = self._started
        self._host_started = {}
        self._play = None

    def _emit(self, **fields):
        sys.stdout.write(json.dumps(fields, sort_keys=True) + '\n')
        sys.stdout.flush()

    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name().strip()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_started = time.monotonic()

    def v2_playbook_on_handler_task_start(self, task):
        self._task_started = time.monotonic()

    def v2_runner_on_start(self, host, task):
        self._host_started[(host.get_name(), task._uuid)] = time.monotonic()

    def _result(self, status, result):
        res = result._result if isinstance(result._result, dict) else {}
        fields = dict(event='result', play=self._play, task=result._task.get_name().strip(),
                      action=result._task.action, host=result._host.get_name(), status=status,
                      seconds=round(time.monotonic() - self._host_started.get(
                          (result._host.get_name(), result._task._uuid), self._task_started), 3))
        if status in ('failed', 'unreachable'):
            fields['msg'] = str(res.get('msg') or res.get('stderr') or '')[:500]
        self._emit(**fields)

    def v2_runner_on_ok(self, result):
        self._result('changed' if result._result.get('changed', False) else 'ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result('ignored' if ignore_errors else 'failed', result)

    def v2_runner_on_unreachable(self, result):
        self._result('unreachable', result)

    def v2_runner_on_skipped(self, result):
        self._result('skipped', result)

    def v2_playbook_on_stats(self, stats):
        hosts = {}
        for host in sorted(stats.processed.keys()):
            hosts[host] = stats.summarize(host)
        self._emit(event='stats', seconds=round(time.monotonic() - self._started, 3), hosts=hosts)
