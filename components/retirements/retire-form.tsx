'use client';
// Retire a learner (owners): by LMS user id, email or username; Preview says what it will touch, Retire does it.
import { useState, useTransition } from 'react';
import { previewRetirementAction, retireLearnerAction, type LearnerInput } from '@/app/(admin)/retirements/retire-learner';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';

type Preview = { events: number; deliveries: number; filter_calls: number; pending: number };

export function RetireForm() {
  const [userId, setUserId] = useState('');
  const [email, setEmail] = useState('');
  const [username, setUsername] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const input = (): LearnerInput => ({
    ...(userId.trim() && { user_id: Number(userId.trim()) }),
    ...(email.trim() && { email: email.trim() }),
    ...(username.trim() && { username: username.trim() }),
  });
  const changed = (set: (v: string) => void) => (e: React.ChangeEvent<HTMLInputElement>) => {
    set(e.target.value);
    setPreview(null);
  };
  return (
    <form
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 sm:p-6"
      aria-label="Retire a learner"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => {
          const r = await previewRetirementAction(input());
          if (r.ok) {
            setPreview(r);
            setMessage(null);
          } else setMessage({ ok: false, text: r.error });
        });
      }}
    >
      <h2 className="text-base font-semibold text-slate-900">Retire a learner</h2>
      <div className="grid gap-3 sm:grid-cols-3">
        <TextField label="LMS user id" inputMode="numeric" value={userId} onChange={changed(setUserId)} />
        <TextField label="Email" type="email" value={email} onChange={changed(setEmail)} />
        <TextField label="Username" value={username} onChange={changed(setUsername)} />
      </div>
      <p className="text-xs text-slate-500">
        Give what you know: each is looked for in every stored event, delivery and filter call. The LMS does this by itself
        when the relay is installed (its retirement pipeline); this is for the rest.
      </p>
      {preview && (
        <p role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200" data-testid="retirement-preview">
          This will erase their data from {preview.events} events, {preview.deliveries} deliveries and {preview.filter_calls} filter calls, and
          cancel {preview.pending} pending deliveries. Copies already delivered to receivers stay where they are.
        </p>
      )}
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'text-sm text-emerald-700' : 'text-sm font-medium text-red-700'}>
          {message.text}
        </p>
      )}
      <div className="flex gap-2">
        <Button type="submit" variant="secondary" disabled={pending}>
          Preview
        </Button>
        <Button
          type="button"
          disabled={pending || !preview}
          onClick={() =>
            start(async () => {
              const r = await retireLearnerAction(input());
              setPreview(null);
              setMessage(r.ok ? { ok: true, text: `Retired: ${r.events} events, ${r.deliveries} deliveries and ${r.filter_calls} filter calls erased, ${r.cancelled} pending deliveries cancelled.` } : { ok: false, text: r.error });
            })
          }
        >
          Retire
        </Button>
      </div>
    </form>
  );
}
