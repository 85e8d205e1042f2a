//! The browser runtime's global allocator (wasm32 only): one free list per power-of-two size
//! class, blocks carved from pages taken with `memory.grow`. Allocation and freeing are O(1) and
//! the code is a few hundred bytes (dlmalloc, std's wasm32 allocator, is about 7 KB). A freed
//! block is only reused by its own class, so memory stays flat under a repeated workload (each
//! class keeps its peak), and, like dlmalloc, pages are never given back.
//!
//! drf-gate's own crate forbids `unsafe`; this crate holds the allocator's few unsafe lines.
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: drf_gate_alloc::SizeClasses = drf_gate_alloc::SizeClasses::new();
//! ```
#![no_std]

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!("drf-gate-alloc assumes a single thread: it has no lock");

#[cfg(target_arch = "wasm32")]
mod wasm {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;
    use core::ptr::null_mut;

    /// Smallest block: 16 bytes (a free block holds the next pointer; 16 is `u128`'s alignment).
    const MIN_SHIFT: u32 = 4;
    /// Classes 2^4 .. 2^31 bytes.
    const CLASSES: usize = 28;
    const PAGE: usize = 65536;

    struct State {
        /// Head of each class's free list (0: empty); a free block starts with the next one's address.
        free: [usize; CLASSES],
        /// Unused part of the last pages taken: [bump, end).
        bump: usize,
        end: usize,
    }

    /// A global allocator for single-threaded wasm32: power-of-two size classes, no coalescing.
    ///
    /// ```ignore
    /// #[global_allocator]
    /// static ALLOCATOR: drf_gate_alloc::SizeClasses = drf_gate_alloc::SizeClasses::new();
    /// ```
    pub struct SizeClasses {
        state: UnsafeCell<State>,
    }

    // SAFETY: wasm32 without the `atomics` feature has one thread (checked at compile time above),
    // so the state is never accessed concurrently.
    unsafe impl Sync for SizeClasses {}

    impl SizeClasses {
        /// An allocator with no pages yet.
        pub const fn new() -> Self {
            SizeClasses { state: UnsafeCell::new(State { free: [0; CLASSES], bump: 0, end: 0 }) }
        }
    }

    impl Default for SizeClasses {
        fn default() -> Self {
            Self::new()
        }
    }

    /// The class of a layout: log2 of its block size, minus MIN_SHIFT (None: larger than 2^31).
    #[inline]
    fn class(layout: &Layout) -> Option<usize> {
        let size = layout.size().max(layout.align()).max(1 << MIN_SHIFT);
        let shift = usize::BITS - (size - 1).leading_zeros();
        let index = (shift - MIN_SHIFT) as usize;
        (index < CLASSES).then_some(index)
    }

    impl State {
        unsafe fn alloc(&mut self, layout: Layout) -> *mut u8 {
            let Some(index) = class(&layout) else { return null_mut() };
            let head = self.free[index];
            // A reused block is aligned to 16 at least (every block is); larger alignments take a
            // fresh block.
            if head != 0 && layout.align() <= 1 << MIN_SHIFT {
                self.free[index] = *(head as *const usize);
                return head as *mut u8;
            }
            let block = 1usize << (index as u32 + MIN_SHIFT);
            let align = layout.align().max(1 << MIN_SHIFT);
            let mut start = (self.bump + align - 1) & !(align - 1);
            if start.checked_add(block).is_none_or(|stop| stop > self.end) {
                let pages = (block + align).div_ceil(PAGE);
                let previous = core::arch::wasm32::memory_grow(0, pages);
                if previous == usize::MAX {
                    return null_mut();
                }
                let base = previous * PAGE;
                // Contiguous with the last pages unless something else grew memory in between.
                if base != self.end {
                    self.bump = base;
                }
                self.end = base + pages * PAGE;
                start = (self.bump + align - 1) & !(align - 1);
            }
            self.bump = start + block;
            start as *mut u8
        }

        unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
            if let Some(index) = class(&layout) {
                *(ptr as *mut usize) = self.free[index];
                self.free[index] = ptr as usize;
            }
        }
    }

    // SAFETY: blocks never overlap (each comes from the bump region once, and a freed block is
    // handed out again only after `dealloc`); a block of class k is 2^k bytes, at least the
    // layout's size, and aligned to the layout's alignment (16 for every block; a larger
    // alignment takes a fresh block aligned to it).
    unsafe impl GlobalAlloc for SizeClasses {
        #[inline]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            (*self.state.get()).alloc(layout)
        }

        #[inline]
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            (*self.state.get()).dealloc(ptr, layout)
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            // The block already holds the new size: keep it (a growing Vec doubles within it).
            if class(&new_layout).is_some() && class(&new_layout) == class(&layout) {
                return ptr;
            }
            let state = &mut *self.state.get();
            let new = state.alloc(new_layout);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                state.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use wasm::SizeClasses;
