/**
 * Keyboard shortcuts for the whole sale, so a cashier never needs the mouse:
 * F2 scan/SKU field · F3 search · F6 the manager's sync page · F8 charge QRIS · F9 cash · Esc cancel/back · Enter confirm (also an offline QRIS) ·
 * +/− quantity of the selected line · ↑/↓ select a line · Delete remove it.
 * Keys go to store actions; this hook only maps them. A barcode scanner typing while no text field has focus
 * is recognised by its speed and its code is added as if typed in the SKU field.
 */
import { useEffect } from 'react';
import { SCAN_INPUT_ID, SEARCH_INPUT_ID } from './components/catalog.tsx';
import { createScanDetector } from './lib/scanner.ts';
import { useTill } from './store/index.ts';

function isTextField(el: EventTarget | null): el is HTMLInputElement | HTMLTextAreaElement {
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;
}

function focusField(id: string): void {
  const el = document.getElementById(id);
  if (el instanceof HTMLInputElement) {
    el.focus();
    el.select();
  }
}

export function useGlobalKeys(): void {
  useEffect(() => {
    const scanner = createScanDetector();
    const onKey = (e: KeyboardEvent) => {
      const s = useTill.getState();
      const inField = isTextField(e.target);
      // A text field keeps the keys it needs, except that an empty field lets +/− through to the cart.
      const fieldHasText = inField && (e.target as HTMLInputElement).value !== '';

      if (!inField && s.page === 'sale' && s.checkout === 'none') {
        const code = scanner.feed(e.key, e.timeStamp);
        if (code) {
          e.preventDefault();
          s.addByCode(code);
          return;
        }
      }

      switch (e.key) {
        case 'F2':
        case 'F3':
          e.preventDefault();
          if (s.checkout !== 'none') return;
          s.setPage('sale');
          // The page may need one render to mount its inputs.
          requestAnimationFrame(() => focusField(e.key === 'F2' ? SCAN_INPUT_ID : SEARCH_INPUT_ID));
          return;
        case 'F6':
          e.preventDefault();
          if (s.checkout !== 'none') return;
          s.setPage('sync');
          // Straight to the PIN field.
          requestAnimationFrame(() => document.getElementById('unlock-pin-input')?.focus());
          return;
        case 'F8':
          e.preventDefault();
          if (s.page === 'sale' && (s.checkout === 'none' || s.checkout === 'qris')) void s.chargeQris();
          return;
        case 'F9':
          e.preventDefault();
          if (s.page === 'sale' && s.checkout === 'none') s.openCash();
          return;
        case 'Escape':
          e.preventDefault();
          if (s.checkout === 'qris') {
            if (s.qris?.status === 'pending' || s.qris?.status === 'confirm') void s.cancelQris();
            else s.closeCheckout();
          } else if (s.checkout === 'cash') s.closeCheckout();
          else if (s.checkout === 'receipt') s.newSale();
          else if (s.page !== 'sale') s.setPage('sale');
          else if (s.error) s.dismissError();
          return;
        case 'Enter':
          // Forms handle their own Enter (SKU field, cash tender); this covers the screens without one.
          if (inField) return;
          if (s.checkout === 'qris' && s.qris?.status === 'confirm') {
            // Offline QRIS: Enter confirms what the cashier has just seen on the customer's phone.
            e.preventDefault();
            void s.confirmOfflineQris();
            return;
          }
          if (s.checkout === 'receipt') {
            e.preventDefault();
            s.newSale();
          }
          return;
        case '+':
        case '-':
        case 'Add':
        case 'Subtract':
          if (fieldHasText || s.checkout !== 'none' || s.page !== 'sale' || !s.selectedProductId) return;
          e.preventDefault();
          s.changeQty(s.selectedProductId, e.key === '+' || e.key === 'Add' ? 1 : -1);
          return;
        case 'ArrowUp':
        case 'ArrowDown':
          if (inField || s.checkout !== 'none') return;
          e.preventDefault();
          s.moveSelection(e.key === 'ArrowUp' ? -1 : 1);
          return;
        case 'Delete':
          if (inField || s.checkout !== 'none' || !s.selectedProductId) return;
          e.preventDefault();
          s.removeLine(s.selectedProductId);
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
